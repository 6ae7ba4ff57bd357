package fhirapi

import (
	"net/url"
	"strings"
	"testing"
)

// Complete search over HTTP: a chain, _has, a composite, _sort with its
// next link, POST _search with a body, the lenient OperationOutcome entry
// and the strict 400.
func TestCompleteSearchOverHTTP(t *testing.T) {
	s := newServer(t, nil)
	for _, body := range []string{
		`{"resourceType":"Patient","id":"pa","name":[{"family":"Côté"}],"birthDate":"1980-01-01"}`,
		`{"resourceType":"Patient","id":"pb","name":[{"family":"Roy"}],"birthDate":"1990-01-01"}`,
		`{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/pa"},
		  "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":150,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}`,
		`{"resourceType":"Observation","id":"o2","status":"final","subject":{"reference":"Patient/pb"},
		  "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":110,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}`,
	} {
		id := between(body, `"id":"`, `"`)
		typ := between(body, `"resourceType":"`, `"`)
		if r := s.do(t, "PUT", "/fhir/"+typ+"/"+id, body); r.status != 201 {
			t.Fatalf("PUT %s/%s: %d %s", typ, id, r.status, r.body)
		}
	}
	ids := func(r resp) []string {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var out []string
		for _, e := range r.obj(t)["entry"].([]any) {
			res := e.(map[string]any)["resource"].(map[string]any)
			if res["resourceType"] != "OperationOutcome" {
				out = append(out, res["id"].(string))
			}
		}
		return out
	}
	q := url.QueryEscape
	cases := map[string]string{
		"/fhir/Observation?subject:Patient.family=cote":                                      "o1",
		"/fhir/Patient?_has:Observation:subject:value-quantity=gt140":                        "pa",
		"/fhir/Observation?code-value-quantity=" + q("http://loinc.org|8480-6$lt120"):        "o2",
		"/fhir/Patient?_sort=-birthdate":                                                     "pb,pa",
		"/fhir/Observation?_sort=subject&_include=Observation:subject&code=8480-6&_count=10": "o1,o2,pa,pb",
	}
	for path, want := range cases {
		if got := strings.Join(ids(s.do(t, "GET", path, "")), ","); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
	// paging a sorted search through its next link
	r := s.do(t, "GET", "/fhir/Patient?_sort=family&_count=1", "")
	first := ids(r)
	var next string
	for _, l := range r.obj(t)["link"].([]any) {
		if l.(map[string]any)["relation"] == "next" {
			next = l.(map[string]any)["url"].(string)
		}
	}
	if len(first) != 1 || first[0] != "pa" || next == "" {
		t.Fatalf("first sorted page: %v, next %q", first, next)
	}
	u, _ := url.Parse(next)
	if got := ids(s.do(t, "GET", u.RequestURI(), "")); len(got) != 1 || got[0] != "pb" {
		t.Fatalf("second sorted page: %v", got)
	}
	// POST _search with chain and sort in the body
	ps := s.do(t, "POST", "/fhir/Observation/_search", "subject.birthdate=ge1985&_sort=-value-quantity", "Content-Type", "application/x-www-form-urlencoded")
	if got := ids(ps); len(got) != 1 || got[0] != "o2" {
		t.Fatalf("POST _search: %v", got)
	}
	// lenient: the unknown parameter is reported in an outcome entry
	lr := s.do(t, "GET", "/fhir/Patient?colour=blue&family=roy", "")
	if got := ids(lr); len(got) != 1 || !strings.Contains(string(lr.body), `"mode":"outcome"`) || !strings.Contains(string(lr.body), "colour") {
		t.Fatalf("lenient: %s", lr.body)
	}
	wantOO(t, s.do(t, "GET", "/fhir/Patient?_sort=colour", "", "Prefer", "handling=strict"), 400)
	wantOO(t, s.do(t, "GET", "/fhir/Observation?code:in=http://nowhere/vs", ""), 400)
}

func between(s, start, end string) string {
	i := strings.Index(s, start) + len(start)
	return s[i : i+strings.Index(s[i:], end)]
}
