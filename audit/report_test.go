package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dsn/audit"
)

func TestAccessReport(t *testing.T) {
	ctx := context.Background()
	st, l, _, _ := openLog(t)
	day := time.Date(2026, 5, 9, 8, 0, 0, 0, time.UTC)
	var es []audit.Entry
	for i := range 60 { // one nurse opens 60 records in a day
		es = append(es, audit.Entry{Time: day.Add(time.Duration(i) * time.Minute), Agent: "user:n1", Name: "Luc Roy", Role: "nurse",
			Establishment: "ciusss-mcq", Action: "read", Patient: fmt.Sprintf("p%d", i)})
	}
	es = append(es,
		audit.Entry{Time: day, Agent: "user:d1", Name: "Dre Julie Bouchard", Role: "physician", Action: "read", Patient: "p-bouchard"},
		audit.Entry{Time: day, Agent: "user:d1", Name: "Dre Julie Bouchard", Role: "physician", Action: "read", Patient: "p-star"},
		audit.Entry{Time: day, Agent: "user:d1", Name: "Dre Julie Bouchard", Role: "physician", Action: "break-glass", Patient: "p-star", Reason: "urgence"},
		audit.Entry{Time: day, Agent: "user:c1", Role: "citizen", Action: "read", Patient: "p-bouchard"},
		audit.Entry{Time: day.AddDate(-2, 0, 0), Agent: "user:old", Action: "read", Patient: "p1"}, // outside the period
	)
	if err := l.Record(ctx, es...); err != nil {
		t.Fatal(err)
	}
	facts := func(_ context.Context, p string) ([]string, bool) {
		switch p {
		case "p-bouchard":
			return []string{"Bouchard"}, false
		case "p-star":
			return []string{"Célèbre"}, true
		}
		return []string{"Autre"}, false
	}
	rep, err := audit.Build(ctx, st, day.AddDate(0, -6, 0), day.AddDate(0, 6, 0), facts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 64 || rep.ByRole["nurse"] != 60 || rep.ByAction["break-glass"] != 1 || rep.Patients != 62 || rep.Agents != 3 {
		t.Fatalf("totals: %+v", rep)
	}
	kinds := map[string]int{}
	for _, f := range rep.Unusual {
		kinds[f.Kind]++
	}
	if kinds["many-records"] != 1 || kinds["same-surname"] != 1 || kinds["flagged-record"] != 1 || len(rep.BreakGlass) != 1 || rep.BreakGlass[0].Detail != "urgence" {
		t.Fatalf("findings: %v %+v", kinds, rep.BreakGlass)
	}
}
