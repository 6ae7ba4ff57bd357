package repo

import (
	"slices"
	"testing"
)

// eachReference finds the relative references of compact and jsonb-spaced
// bodies, and not text that only looks like one, nor contained, urn: or
// absolute references.
func TestEachReference(t *testing.T) {
	body := `{"subject":{"reference":"Patient/p1"},"performer":[{"reference": "Practitioner/dr"}],` +
		`"note":[{"text":"voir \"reference\":\"Organization/x\""}],"contained":[{"reference":"#m"}],` +
		`"basedOn":[{"reference":"urn:uuid:1"},{"reference":"https://x/fhir/Location/l"}],"x":{"reference" : "Medication/med"}}`
	var got []string
	eachReference([]byte(body), func(r string) { got = append(got, r) })
	want := []string{"Patient/p1", "Practitioner/dr", "Medication/med"}
	if !slices.Equal(got, want) {
		t.Fatalf("references %v, want %v", got, want)
	}
}
