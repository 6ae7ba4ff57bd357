package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"dsn"
	"dsn/internal/sqlstore"
)

// A compartment search (SearchQuery.PatientKey) reads the (patient_key, rid)
// index, never the whole type, whatever else it filters on; the plans are in
// testdata/compartment_plan.golden (go test ./sqlite -run CompartmentPlan -update).
func TestCompartmentPlan(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	code := dsn.Clause{Param: "code", Type: dsn.ParamToken, Values: []dsn.Value{{Code: "8867-4", AnySystem: true}}}
	queries := []struct {
		name string
		q    dsn.SearchQuery
	}{
		{"every type", dsn.SearchQuery{PatientKey: "p"}},
		{"one type", dsn.SearchQuery{PatientKey: "p", Type: "Observation"}},
		{"types", dsn.SearchQuery{PatientKey: "p", Types: []string{"Encounter", "Observation"}}},
		{"type and clause", dsn.SearchQuery{PatientKey: "p", Type: "Observation", Clauses: []dsn.Clause{code}}},
	}
	var out strings.Builder
	for _, c := range queries {
		p, err := sqlstore.Translate(sqlstore.SQLite, c.q)
		if err != nil {
			t.Fatal(err)
		}
		plan := queryPlan(t, s, p.Page.SQL, p.Page.Args)
		if !strings.Contains(plan, "resource_patient_rid") {
			t.Errorf("%s: the page does not read the patient index:\n%s", c.name, plan)
		}
		fmt.Fprintf(&out, "%s page:\n%s\n", c.name, plan)
	}
	golden(t, filepath.Join("testdata", "compartment_plan.golden"), out.String())
}
