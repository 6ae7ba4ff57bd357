package repo

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
)

// Every Bundle and OperationOutcome the service builds is valid FHIR R4.
func TestGeneratedResourcesAreValid(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	base := "http://x/fhir"
	tx, err := s.Bundle(ctx, base, []byte(`{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:1","resource":`+string(patient("V"))+`,"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Patient","id":"v2"},"request":{"method":"PUT","url":"Patient/v2"}},
	 {"request":{"method":"GET","url":"Patient?identifier=urn:test|V"}}]}`), true)
	if err != nil {
		t.Fatal(err)
	}
	batch, _ := s.Bundle(ctx, base, []byte(`{"resourceType":"Bundle","type":"batch","entry":[
	 {"request":{"method":"GET","url":"Patient/nope"}},{"request":{"method":"DELETE","url":"Patient/v2"}}]}`), false)
	search, _ := s.Search(ctx, base, "Patient", url.Values{"colour": {"x"}, "_count": {"1"}, "_total": {"accurate"}}, false)
	hist, _ := s.History(ctx, base, "", "", url.Values{})
	_, verr := s.Create(ctx, "Patient", []byte(`{"resourceType":"Patient","gender":1}`), "")
	cases := map[string]fhir.Object{
		"transaction-response": tx, "batch-response": batch, "searchset": search, "history": hist,
		"OperationOutcome": OperationOutcome(verr), "information": Information("ok"),
		"internal": OperationOutcome(dsn.Wrap("x", dsn.KindInternal, errors.New("secret cause"))),
	}
	for name, obj := range cases {
		if obj == nil {
			t.Fatalf("%s: nil", name)
		}
		// Round-trip through JSON: the Bundles embed stored bodies as raw JSON.
		dec, err := fhir.Decode(fhir.Encode(obj))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := fhir.Validate(dec); err != nil {
			t.Errorf("%s is not valid FHIR: %v %+v\n%s", name, err, dsn.IssuesOf(err), fhir.Encode(obj))
		}
	}
	if got := string(fhir.Encode(cases["internal"])); strings.Contains(got, "secret") {
		t.Fatalf("internal causes must not leak: %s", got)
	}
}
