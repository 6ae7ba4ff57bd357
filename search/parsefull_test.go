package search

import (
	"net/url"
	"reflect"
	"testing"

	"dsn"
)

func parseAllQuery(t *testing.T, typ, query string) dsn.SearchQuery {
	t.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, issues, err := ParseAll(typ, vals, true)
	if err != nil || len(issues) != 0 {
		t.Fatalf("%s?%s: err %v issues %+v", typ, query, err, issues)
	}
	return q
}

func TestParseAllChains(t *testing.T) {
	name := dsn.Clause{Param: "name", Type: dsn.ParamString, Values: []dsn.Value{{Text: "cote"}}}
	q := parseAllQuery(t, "Observation", "subject:Patient.name=C%C3%B4t%C3%A9")
	want := []dsn.Clause{{Param: "subject", Type: dsn.ParamReference, Modifier: "Patient",
		Chain: &dsn.SearchQuery{Type: "Patient", Clauses: []dsn.Clause{name}}}}
	if !reflect.DeepEqual(q.Clauses, want) {
		t.Errorf("chain:\n got %+v\nwant %+v", q.Clauses, want)
	}
	// patient has one target; general-practitioner needs the type or the only
	// target with the chained parameter; three levels.
	q = parseAllQuery(t, "Observation", "patient.general-practitioner:Practitioner.name=cote")
	c := q.Clauses[0]
	if c.Param != "patient" || c.Chain.Type != "Patient" || c.Chain.Clauses[0].Param != "general-practitioner" ||
		c.Chain.Clauses[0].Chain.Type != "Practitioner" || !reflect.DeepEqual(c.Chain.Clauses[0].Chain.Clauses, []dsn.Clause{name}) {
		t.Errorf("two-level chain: %+v", c)
	}
	q = parseAllQuery(t, "Encounter", "subject.birthdate=ge2000")
	if q.Clauses[0].Chain.Type != "Patient" { // Group has no birthdate
		t.Errorf("target by parameter: %+v", q.Clauses[0])
	}
}

func TestParseAllHas(t *testing.T) {
	q := parseAllQuery(t, "Patient", "_has:Observation:patient:code=http://loinc.org|8480-6")
	want := []dsn.Clause{{Param: "_has", Type: dsn.ParamSpecial, HasRef: "patient", Has: &dsn.SearchQuery{Type: "Observation",
		Clauses: []dsn.Clause{{Param: "code", Type: dsn.ParamToken, Values: []dsn.Value{{System: "http://loinc.org", Code: "8480-6"}}}}}}}
	if !reflect.DeepEqual(q.Clauses, want) {
		t.Errorf("_has:\n got %+v\nwant %+v", q.Clauses, want)
	}
	q = parseAllQuery(t, "Patient", "_has:Observation:patient:_has:AuditEvent:entity:agent=Practitioner/x")
	inner := q.Clauses[0].Has.Clauses[0]
	if inner.Param != "_has" || inner.HasRef != "entity" || inner.Has.Type != "AuditEvent" || inner.Has.Clauses[0].Param != "agent" {
		t.Errorf("nested _has: %+v", inner)
	}
}

func TestParseAllValues(t *testing.T) {
	q := parseAllQuery(t, "Observation", "code-value-quantity=http://loinc.org|8480-6$gt100")
	v := q.Clauses[0].Values[0]
	if len(v.Components) != 2 || v.Components[0].Code != "8480-6" || v.Components[1].Prefix != "gt" || v.Components[1].Number != 100 || v.Components[1].NumLow != 99.5 {
		t.Errorf("composite: %+v", v)
	}
	cases := []struct {
		typ, query, mod string
		want            dsn.Value
	}{
		{"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|446053", "of-type",
			dsn.Value{System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "MR", Text: "446053"}},
		{"Observation", "subject:identifier=urn:oid:1.2|123", "identifier", dsn.Value{System: "urn:oid:1.2", Code: "123"}},
		{"Observation", "code:in=http://x/vs", "in", dsn.Value{Text: "http://x/vs"}},
		{"Observation", "code:not-in=http://x/vs", "not-in", dsn.Value{Text: "http://x/vs"}},
		{"ValueSet", "url:below=http://acme.org/fhir/", "below", dsn.Value{Text: "http://acme.org/fhir/"}},
		{"ValueSet", "url:above=http://acme.org/fhir/ValueSet/123/_history/5", "above", dsn.Value{Text: "http://acme.org/fhir/ValueSet/123/_history/5"}},
	}
	for _, c := range cases {
		q := parseAllQuery(t, c.typ, c.query)
		if q.Clauses[0].Modifier != c.mod || !reflect.DeepEqual(q.Clauses[0].Values, []dsn.Value{c.want}) {
			t.Errorf("%s?%s: %+v", c.typ, c.query, q.Clauses[0])
		}
	}
}

func TestParseAllResultParams(t *testing.T) {
	q := parseAllQuery(t, "Observation", "_sort=-date,code,_lastUpdated&_include=Observation:subject:Patient&_include:iterate=Patient:general-practitioner"+
		"&_revinclude=Provenance:target&_include=*&_total=accurate&_summary=count&_elements=status,code")
	if !reflect.DeepEqual(q.Sort, []dsn.SortKey{{Param: "date", Desc: true, Type: dsn.ParamDate}, {Param: "code", Type: dsn.ParamToken}, {Param: "_lastUpdated", Type: dsn.ParamDate}}) {
		t.Errorf("sort %+v", q.Sort)
	}
	wantInc := []dsn.Include{{Source: "Observation", Param: "subject", Target: "Patient"}, {Source: "Observation", Param: "*"},
		{Source: "Patient", Param: "general-practitioner", Iterate: true}}
	if !sameIncludes(q.Includes, wantInc) {
		t.Errorf("includes %+v", q.Includes)
	}
	if !reflect.DeepEqual(q.RevIncludes, []dsn.Include{{Source: "Provenance", Param: "target"}}) {
		t.Errorf("revincludes %+v", q.RevIncludes)
	}
	if q.TotalMode != "accurate" || !q.Total || q.Summary != "count" || !reflect.DeepEqual(q.Elements, []string{"status", "code"}) {
		t.Errorf("query %+v", q)
	}
}

// sameIncludes compares ignoring order (url.Values keys "_include" and
// "_include:iterate" are read in sorted key order).
func sameIncludes(a, b []dsn.Include) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range b {
		found := false
		for _, y := range a {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}

func TestParseAllProblems(t *testing.T) {
	bad := []struct{ typ, query string }{
		{"Observation", "code.name=x"},                                 // not a reference
		{"Observation", "subject:Device.name=x"},                       // Device is not a target of subject... (is it?) else unknown param
		{"Observation", "performer.name=x"},                            // ambiguous target
		{"Observation", "subject:Patient.nope=x"},                      // unknown chained parameter
		{"Observation", "patient.organization.partof.partof.name=x"},   // too deep
		{"Patient", "_has:Observation:code:status=final"},              // code is not a reference
		{"Patient", "_has:Nope:patient:status=final"},                  // unknown type
		{"Patient", "_has:Observation:patient"},                        // incomplete
		{"Observation", "code-value-quantity=http://loinc.org|8480-6"}, // one part
		{"Patient", "identifier:of-type=MR|446053"},
		{"Patient", "_sort=nope"},
		{"Patient", "_include=Patient:name"},
		{"Patient", "_include:deep=Patient:organization"},
		{"Patient", "_summary=some"},
		{"Patient", "_elements=a b"},
		{"Patient", "family:of-type=x"},
	}
	for _, c := range bad {
		vals, _ := url.ParseQuery(c.query)
		if _, _, err := ParseAll(c.typ, vals, true); dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("strict %s?%s: err = %v", c.typ, c.query, err)
		}
		q, issues, err := ParseAll(c.typ, vals, false)
		if err != nil || len(issues) == 0 || len(q.Clauses) != 0 || len(q.Sort)+len(q.Includes) != 0 {
			t.Errorf("lenient %s?%s: err=%v issues=%+v q=%+v", c.typ, c.query, err, issues, q)
		}
	}
}
