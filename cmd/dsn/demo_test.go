package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"dsn/mpi"
	"dsn/repo"
	"dsn/sqlite"
	"dsn/synth"
)

// The demo population loads into an empty store, only once, and what it loads
// is searchable by NAM — the first thing a newcomer tries.
func TestSeedDemoLoadsOnceAndIsSearchable(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	g := synth.New(synth.Options{Seed: 1, Patients: 40})
	want := len(g.Network())
	g.Each(func(p *synth.Person) error { want += len(p.Resources); return nil })
	var progress bytes.Buffer
	n, err := seedDemo(ctx, st, g, &progress)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if n != want {
		t.Fatalf("seeded %d resources, want the %d generated", n, want)
	}
	if !strings.Contains(progress.String(), "40/40") {
		t.Fatalf("no final progress line: %q", progress.String())
	}
	again, err := seedDemo(ctx, st, g, &progress)
	if err != nil || again != 0 {
		t.Fatalf("second seed = %d, %v; want 0 on a non-empty store", again, err)
	}

	nam := exampleNAM(g)
	svc := repo.New(repo.Options{Store: st})
	q := url.Values{"identifier": {mpi.NAMSystem + "|" + nam}}
	b, err := svc.Search(ctx, "http://x/fhir", "Patient", q, true)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := b["entry"].([]any)
	if len(entries) < 1 {
		t.Fatalf("search by NAM %s found no patient", nam)
	}
	r, err := st.Read(ctx, "Patient", "pat-0000001")
	if err != nil || !strings.Contains(string(r.Body), "DÉMO – données fictives") {
		t.Fatalf("demo resources must carry the demo tag: %v %s", err, r.Body)
	}
}

// BenchmarkSeedDemo measures the demo load into a fresh SQLite store
// (generation included), in resources per second.
func BenchmarkSeedDemo(b *testing.B) {
	ctx := context.Background()
	res := 0
	for b.Loop() {
		b.StopTimer()
		st, err := sqlite.Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := seedDemo(ctx, st, synth.New(synth.Options{Seed: 1, Patients: 300}), io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		res += n
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(res)/b.Elapsed().Seconds(), "resources/s")
}
