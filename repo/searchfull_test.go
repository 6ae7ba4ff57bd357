package repo

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
)

// putAll stores each "Type/id body" with its id.
func putAll(t *testing.T, s *Service, docs ...string) {
	t.Helper()
	for _, d := range docs {
		obj := mustDecode(t, []byte(d))
		typ, id := fhir.ResourceType(obj), fhir.ID(obj)
		if _, err := s.Update(context.Background(), typ, id, []byte(d), 0); err != nil {
			t.Fatalf("%s/%s: %v", typ, id, err)
		}
	}
}

// entries lists "mode Type/id" of a searchset, in order.
func entries(b fhir.Object) []string {
	var out []string
	for _, e := range b["entry"].([]any) {
		m := e.(map[string]any)
		res := m["resource"]
		var obj fhir.Object
		switch r := res.(type) {
		case fhir.Object:
			obj = r
		default:
			obj, _ = fhir.Decode(fhir.Encode(r))
		}
		out = append(out, m["search"].(map[string]any)["mode"].(string)+" "+fhir.ResourceType(obj)+"/"+fhir.ID(obj))
	}
	return out
}

func searchOK(t *testing.T, s *Service, typ, query string) fhir.Object {
	t.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Search(context.Background(), "http://x/fhir", typ, vals, true)
	if err != nil {
		t.Fatalf("%s?%s: %v", typ, query, err)
	}
	return b
}

func TestIncludeIterateAndStar(t *testing.T) {
	s, _ := newTestService(t)
	putAll(t, s,
		`{"resourceType":"Organization","id":"org"}`,
		`{"resourceType":"Practitioner","id":"dr"}`,
		`{"resourceType":"Patient","id":"pa","generalPractitioner":[{"reference":"Practitioner/dr"}],"managingOrganization":{"reference":"Organization/org"}}`,
		`{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/pa"}}`,
		`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/pa"},"encounter":{"reference":"Encounter/e1"}}`,
		`{"resourceType":"Provenance","id":"pv","target":[{"reference":"Observation/o1"}],"recorded":"2026-01-01T00:00:00Z","agent":[{"who":{"reference":"Practitioner/dr"}}]}`,
	)
	cases := []struct{ typ, query, want string }{
		{"Observation", "_include=Observation:subject", "match Observation/o1,include Patient/pa"},
		{"Observation", "_include=Observation:subject&_include:iterate=Patient:general-practitioner",
			"match Observation/o1,include Patient/pa,include Practitioner/dr"},
		{"Observation", "_include=Observation:subject&_include=Patient:general-practitioner", // without :iterate, one round
			"match Observation/o1,include Patient/pa"},
		{"Observation", "_include=*", "match Observation/o1,include Patient/pa,include Encounter/e1"},
		{"Observation", "_include=Observation:subject:Group", "match Observation/o1"},
		{"Patient", "_revinclude=Observation:subject&_revinclude:iterate=Provenance:target",
			"match Patient/pa,include Observation/o1,include Provenance/pv"},
		{"Encounter", "_revinclude=Observation:encounter&_include:iterate=Observation:patient",
			"match Encounter/e1,include Observation/o1,include Patient/pa"},
	}
	for _, c := range cases {
		got := strings.Join(entries(searchOK(t, s, c.typ, c.query)), ",")
		want := strings.Split(c.want, ",")
		gotList := strings.Split(got, ",")
		slices.Sort(want[1:])
		slices.Sort(gotList[1:])
		if !slices.Equal(gotList, want) {
			t.Errorf("%s?%s: %s, want %s", c.typ, c.query, got, c.want)
		}
	}
}

func TestSummaryAndElements(t *testing.T) {
	s, _ := newTestService(t)
	putAll(t, s, `{"resourceType":"Patient","id":"pa","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Marie</div>"},`+
		`"name":[{"family":"Gagnon"}],"photo":[{"title":"x"}],"birthDate":"1980-01-01","contact":[{"name":{"family":"Roy"}}]}`)
	body := func(query string) string {
		b := searchOK(t, s, "Patient", query)
		return string(fhir.Encode(b["entry"].([]any)[0].(map[string]any)["resource"]))
	}
	check := func(query string, has, hasNot []string) {
		t.Helper()
		got := body(query)
		for _, h := range has {
			if !strings.Contains(got, h) {
				t.Errorf("%s: %s lacks %s", query, got, h)
			}
		}
		for _, h := range hasNot {
			if strings.Contains(got, h) {
				t.Errorf("%s: %s keeps %s", query, got, h)
			}
		}
	}
	check("_summary=true", []string{`"name"`, `"birthDate"`, "SUBSETTED"}, []string{`"text"`, `"photo"`, `"contact"`})
	check("_summary=text", []string{`"text"`, "SUBSETTED"}, []string{`"name"`, `"photo"`})
	check("_summary=data", []string{`"name"`, `"photo"`, "SUBSETTED"}, []string{`"text"`})
	check("_summary=false", []string{`"text"`, `"photo"`}, []string{"SUBSETTED"})
	check("_elements=birthDate,Patient.photo", []string{`"birthDate"`, `"photo"`, `"id"`, "SUBSETTED"}, []string{`"name"`, `"text"`})
	for _, q := range []string{"_summary=count", "_count=0"} {
		b := searchOK(t, s, "Patient", q)
		if b["total"] != 1 || len(b["entry"].([]any)) != 0 {
			t.Errorf("%s: total %v, %d entries", q, b["total"], len(b["entry"].([]any)))
		}
	}
	// lenient: a bad parameter is ignored and reported in the outcome entry;
	// strict: 400 with every problem.
	b, err := s.Search(context.Background(), "http://x/fhir", "Patient", url.Values{"nope": {"1"}, "birthdate": {"1980"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := modes(b); got["match"] != 1 || got["outcome"] != 1 {
		t.Fatalf("lenient: %v", got)
	}
	_, err = s.Search(context.Background(), "http://x/fhir", "Patient", url.Values{"nope": {"1"}, "_sort": {"nope"}}, true)
	if dsn.KindOf(err) != dsn.KindInvalid || len(dsn.IssuesOf(err)) != 2 {
		t.Fatalf("strict: %v %+v", err, dsn.IssuesOf(err))
	}
}
