package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"dsn/repo"
	"dsn/sqlite"
)

// The demo seed loads into an empty store, only once, and what it loads is
// searchable by NAM — the first thing a newcomer tries.
func TestSeedDemoLoadsOnceAndIsSearchable(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	n, err := seedDemo(ctx, st)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if n != 34 {
		t.Fatalf("seeded %d resources, want the 34 of demo-seed.json", n)
	}
	again, err := seedDemo(ctx, st)
	if err != nil || again != 0 {
		t.Fatalf("second seed = %d, %v; want 0 on a non-empty store", again, err)
	}

	svc := repo.New(repo.Options{Store: st})
	q := url.Values{"identifier": {"https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id|COTJ48112319"}}
	b, err := svc.Search(ctx, "http://x/fhir", "Patient", q, true)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := b["entry"].([]any)
	if len(entries) != 1 {
		t.Fatalf("search by NAM found %d patients, want 1", len(entries))
	}
	r, err := st.Read(ctx, "AllergyIntolerance", "all-cote-penicilline")
	if err != nil || !strings.Contains(string(r.Body), "DÉMO – données fictives") {
		t.Fatalf("demo resources must carry the demo tag: %v %s", err, r.Body)
	}
}
