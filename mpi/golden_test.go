package mpi

import (
	"testing"

	"dsn/fhir"
)

// IsGoldenBody answers as IsGolden on the decoded Patient.
func TestIsGoldenBody(t *testing.T) {
	for _, c := range []struct {
		body string
		want bool
	}{
		{`{"resourceType":"Patient","id":"g","meta":{"tag":[{"system":"urn:dsn:codesystem:origine","code":"demo"},{"system":"urn:dsn:codesystem:mpi","code":"golden"}]}}`, true},
		{`{"resourceType":"Patient","id":"r","meta":{"tag":[{"system":"urn:dsn:codesystem:mpi","code":"review"}]}}`, false},
		{`{"resourceType":"Patient","id":"r","meta":{"tag":[{"system":"urn:other","code":"golden"}]},"identifier":[{"system":"urn:dsn:codesystem:mpi","value":"x"}]}`, false},
		{`{"resourceType":"Patient","id":"r","name":[{"family":"Golden"}]}`, false},
		{`{"resourceType":"Patient","id":"r"}`, false},
	} {
		obj, err := fhir.Decode([]byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := IsGoldenBody([]byte(c.body)); got != c.want || IsGolden(obj) != c.want {
			t.Errorf("%s: IsGoldenBody %v, IsGolden %v, want %v", c.body, got, IsGolden(obj), c.want)
		}
	}
}
