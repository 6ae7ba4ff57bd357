package search

import (
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"dsn"
	"dsn/fhir"
)

var examples = sync.OnceValue(func() []fhir.Object {
	files, _ := filepath.Glob(filepath.Join(examplesDir(), "*-*.json"))
	var out []fhir.Object
	for _, f := range files {
		if obj := readExample(nil, f); obj != nil {
			out = append(out, obj)
		}
	}
	return out
})

func exampleSet(t *testing.T) *Set {
	t.Helper()
	objs := examples()
	if len(objs) == 0 {
		t.Skip("R4 examples package not found; run scripts/fhir-package")
	}
	return NewSet(objs...)
}

func keys(objs []fhir.Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, fhir.ResourceType(o)+"/"+fhir.ID(o))
	}
	slices.Sort(out)
	return out
}

// TestMatchExamples checks the oracle by hand on official examples.
func TestMatchExamples(t *testing.T) {
	s := exampleSet(t)
	cases := []struct {
		typ, query, want string
		in               bool
	}{
		{"Observation", "code=http://loinc.org|29463-7", "Observation/example", true},
		{"Observation", "code:not=http://loinc.org|29463-7", "Observation/example", false},
		{"Observation", "code:text=body", "Observation/example", true},
		{"Observation", "value-quantity=185|http://unitsofmeasure.org|[lb_av]", "Observation/example", true},
		{"Observation", "value-quantity=185.0", "Observation/example", true},
		{"Observation", "value-quantity=185.4", "Observation/example", false},
		{"Observation", "value-quantity=2e2", "Observation/example", true}, // [150, 250)
		{"Observation", "value-quantity=gt185", "Observation/example", false},
		{"Observation", "value-quantity=ge185", "Observation/example", true},
		{"Observation", "value-quantity=ap180", "Observation/example", true},
		{"Observation", "value-quantity=185||kg", "Observation/example", false},
		{"Observation", "date=2016-03", "Observation/example", true},
		{"Observation", "date=sa2016-03-27", "Observation/example", true},
		{"Observation", "date=eb2016-03-28", "Observation/example", false},
		{"Observation", "subject:Patient.name=peter", "Observation/example", true},
		{"Observation", "subject:Patient.birthdate=1974-12-25", "Observation/example", true},
		{"Observation", "subject:Patient.birthdate=1975", "Observation/example", false},
		{"Observation", "code-value-quantity=http://loinc.org|29463-7$185|http://unitsofmeasure.org|[lb_av]", "Observation/example", true},
		{"Observation", "code-value-quantity=http://loinc.org|29463-7$gt185", "Observation/example", false},
		{"Observation", "subject:missing=false", "Observation/example", true},
		{"Patient", "_has:Observation:patient:code=http://loinc.org|29463-7", "Patient/example", true},
		{"Patient", "_has:Observation:patient:code=http://loinc.org|0000-0", "Patient/example", false},
		{"Patient", "name=chalm", "Patient/example", true},
		{"Patient", "family:exact=chalmers", "Patient/example", false},
		{"Patient", "family:exact=Chalmers", "Patient/example", true},
		{"Patient", "name:contains=ALMER", "Patient/example", true},
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345", "Patient/example", true},
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|9", "Patient/example", false},
		{"Patient", "birthdate=1974-12-25", "Patient/example", true},
		{"Patient", "birthdate=lt1974-12-25", "Patient/example", false},
		{"Patient", "birthdate=le1974-12-25", "Patient/example", true},
		{"Patient", "_id=example", "Patient/example", true},
		{"Patient", "deceased=false", "Patient/example", true}, // no deceased[x]: the expression gives false
		{"ValueSet", "url:below=http://hl7.org/fhir/ValueSet/", "ValueSet/example-expansion", true},
		{"ValueSet", "url:above=http://hl7.org/fhir/ValueSet/example-expansion/extra", "ValueSet/example-expansion", true},
	}
	for _, c := range cases {
		vals, _ := url.ParseQuery(c.query)
		q, issues, err := ParseAll(c.typ, vals, true)
		if err != nil {
			t.Errorf("%s?%s: %v %+v", c.typ, c.query, err, issues)
			continue
		}
		got, err := s.Search(q)
		if err != nil {
			t.Errorf("%s?%s: %v", c.typ, c.query, err)
			continue
		}
		if _, in := slices.BinarySearch(keys(got), c.want); in != c.in {
			t.Errorf("%s?%s: %s in results = %v, want %v (%d results)", c.typ, c.query, c.want, in, c.in, len(got))
		}
	}
}

// TestMatchesWithoutSet: chains need a Set; a plain clause does not.
func TestMatchesWithoutSet(t *testing.T) {
	obs := decode(t, `{"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},
		"subject":{"reference":"Patient/p"},"valueQuantity":{"value":120,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}`)
	yes := dsn.Clause{Param: "code", Type: dsn.ParamToken, Values: []dsn.Value{{AnySystem: true, Code: "8480-6"}}}
	no := dsn.Clause{Param: "value-quantity", Type: dsn.ParamQuantity, Values: []dsn.Value{{Prefix: "gt", Number: 120}}}
	chain := dsn.Clause{Param: "subject", Type: dsn.ParamReference, Chain: &dsn.SearchQuery{Type: "Patient",
		Clauses: []dsn.Clause{{Param: "_id", Type: dsn.ParamToken, Values: []dsn.Value{{Code: "p"}}}}}}
	if !Matches(obs, yes) || Matches(obs, no) || Matches(obs, chain) {
		t.Errorf("Matches: code %v, gt120 %v, chain %v", Matches(obs, yes), Matches(obs, no), Matches(obs, chain))
	}
	unknown := dsn.Clause{Param: "nope", Type: dsn.ParamToken, Values: []dsn.Value{{Code: "x"}}}
	if _, err := NewSet().Match(obs, unknown); dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("unknown parameter: %v", err)
	}
}

// TestSearchSort: the oracle orders by _sort, several keys, missing last.
func TestSearchSort(t *testing.T) {
	s := exampleSet(t)
	for _, desc := range []bool{false, true} {
		got, err := s.Search(dsn.SearchQuery{Type: "Patient", Sort: []dsn.SortKey{{Param: "birthdate", Desc: desc}, {Param: "_id"}}})
		if err != nil {
			t.Fatal(err)
		}
		var prev string
		missing := false
		for _, o := range got {
			b, _ := o["birthDate"].(string)
			switch {
			case b == "":
				missing = true
			case missing:
				t.Errorf("desc=%v: %s has a birth date after patients without one", desc, fhir.ID(o))
			case prev != "" && (!desc && b[:4] < prev[:4] || desc && b[:4] > prev[:4]):
				t.Errorf("desc=%v: %s (%s) after %s", desc, fhir.ID(o), b, prev)
			}
			if b != "" {
				prev = b
			}
		}
		if len(got) < 5 || !missing {
			t.Errorf("desc=%v: %d patients, some without birth date: %v", desc, len(got), missing)
		}
	}
}
