package storetest

import (
	"context"
	"slices"
	"testing"

	"dsn"
)

// testCompartment: SearchQuery.PatientKey keeps one patient's compartment
// (compartmentdefinition-patient.html), Types several types, and both page
// and combine with clauses; tombstones never appear.
func testCompartment(t *testing.T, open Opener) {
	s := open(t)
	searchData(t, s) // p1 holds p1 and o1; p2 holds p2 and o2
	enc := res("Encounter", "e1", 1, at(5), tokenIndex("x", "all"))
	enc.PatientKey = "p1"
	gone := res("Condition", "c1", 1, at(6), tokenIndex("x", "all"))
	gone.PatientKey = "p1"
	dr := res("Practitioner", "dr", 1, at(7), tokenIndex("x", "all"))
	put(t, s, enc, gone, dr)
	put(t, s, tombstone("Condition", "c1", 2, at(8)))

	ids := func(q dsn.SearchQuery) []string {
		t.Helper()
		q.Total = true
		var got []string
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("compartment paging does not end")
			}
			r, err := s.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range r.Matches {
				got = append(got, m.Type+"/"+m.ID)
			}
			if r.Total < len(got) {
				t.Fatalf("total %d below the %d matches", r.Total, len(got))
			}
			if r.Next == "" {
				return got
			}
			q.Cursor = r.Next
		}
	}
	cases := []struct {
		name string
		q    dsn.SearchQuery
		want []string
	}{
		{"every type", dsn.SearchQuery{PatientKey: "p1"}, []string{"Patient/p1", "Observation/o1", "Encounter/e1"}},
		{"paged", dsn.SearchQuery{PatientKey: "p1", Count: 1}, []string{"Patient/p1", "Observation/o1", "Encounter/e1"}},
		{"one type", dsn.SearchQuery{PatientKey: "p1", Type: "Observation"}, []string{"Observation/o1"}},
		{"other patient", dsn.SearchQuery{PatientKey: "p2", Type: "Observation"}, []string{"Observation/o2"}},
		{"types", dsn.SearchQuery{PatientKey: "p1", Types: []string{"Patient", "Encounter"}}, []string{"Patient/p1", "Encounter/e1"}},
		{"types without key", dsn.SearchQuery{Types: []string{"Practitioner", "Encounter"}}, []string{"Encounter/e1", "Practitioner/dr"}},
		{"with clause", dsn.SearchQuery{PatientKey: "p1", Type: "Observation", Clauses: []dsn.Clause{
			cl("code", dsn.ParamToken, "", dsn.Value{Code: "8867-4", AnySystem: true})}}, []string{"Observation/o1"}},
		{"clause of another patient", dsn.SearchQuery{PatientKey: "p1", Type: "Observation", Clauses: []dsn.Clause{
			cl("code", dsn.ParamToken, "", dsn.Value{Code: "8480-6", AnySystem: true})}}, nil},
		{"unknown patient", dsn.SearchQuery{PatientKey: "nobody"}, nil},
	}
	for _, c := range cases {
		if got := ids(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
