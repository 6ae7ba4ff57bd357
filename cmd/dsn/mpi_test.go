package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dsn/fhir"
	"dsn/mpi"
	"dsn/sqlite"
	"dsn/synth"
)

// runMain starts a server on dir and returns its base URL and a stop function.
func runMain(tb testing.TB, dir string) (*Main, string, func()) {
	tb.Helper()
	return runConfig(tb, Config{Addr: "127.0.0.1:0", Store: StoreConfig{DataDir: dir}})
}

// runConfig is runMain with a whole configuration (a PostgreSQL store).
func runConfig(tb testing.TB, cfg Config) (*Main, string, func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m, err := NewMain(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	systemToken(tb, m)
	return m, "http://" + m.Addr(), func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run: %v", err)
		}
		m.Close()
	}
}

// matchBody is a $match input for a copy of the person's main Patient record
// (without its id, as a new registration would come).
func matchBody(p *synth.Person) []byte {
	pat := fhir.Object{}
	for k, v := range p.Resources[0] {
		if k != "id" && k != "meta" {
			pat[k] = v
		}
	}
	return fhir.Encode(fhir.Object{"resourceType": "Parameters", "parameter": []any{
		map[string]any{"name": "resource", "resource": pat}}})
}

// postMatch returns the ids and grades of the $match answer.
func postMatch(tb testing.TB, base string, body []byte) (ids, grades []string) {
	tb.Helper()
	req, _ := http.NewRequest("POST", base+"/fhir/Patient/$match", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/fhir+json")
	authorize(req)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var b struct {
		Entry []struct {
			Resource struct{ ID string }
			Search   struct {
				Extension []struct{ URL, ValueCode string }
			}
		}
	}
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || json.Unmarshal(raw, &b) != nil {
		tb.Fatalf("$match: %d %s", res.StatusCode, raw)
	}
	for _, e := range b.Entry {
		ids = append(ids, e.Resource.ID)
		for _, x := range e.Search.Extension {
			if strings.HasSuffix(x.URL, "match-grade") {
				grades = append(grades, x.ValueCode)
			}
		}
	}
	return ids, grades
}

// The MPI index follows the demo loader (writes straight to the store) and is
// rebuilt from the store at the next start.
func TestMPIFollowsDemoAndIsRebuiltAtStart(t *testing.T) {
	dir := t.TempDir()
	g := synth.New(synth.Options{Seed: 3, Patients: 30, HistoryYears: 1})
	patients := 0
	g.Each(func(p *synth.Person) error { patients += len(p.Truth); return nil })

	m, base, stop := runMain(t, dir)
	if m.mpi.Len() != 0 {
		t.Fatalf("empty store, index holds %d records", m.mpi.Len())
	}
	if _, err := seedDemo(context.Background(), m.store, g, io.Discard); err != nil {
		t.Fatal(err)
	}
	if m.mpi.Len() != patients {
		t.Fatalf("after the demo load the index holds %d records, want %d", m.mpi.Len(), patients)
	}
	if _, err := m.records.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := g.Person(5)
	// $match answers the person's golden record
	want := m.mpi.GoldenOf(fhir.ID(p.Resources[0]))
	ids, grades := postMatch(t, base, matchBody(p))
	if want == "" || len(ids) == 0 || ids[0] != want || grades[0] != "certain" {
		t.Fatalf("$match of %s's copy: %v %v, want golden record %q", fhir.ID(p.Resources[0]), ids, grades, want)
	}
	stop()

	m, base, stop = runMain(t, dir)
	defer stop()
	if m.mpi.Len() != patients {
		t.Fatalf("rebuilt index holds %d records, want %d", m.mpi.Len(), patients)
	}
	if ids, _ := postMatch(t, base, matchBody(p)); len(ids) == 0 || ids[0] != want {
		t.Fatalf("after restart: %v", ids)
	}
}

// seededDir loads the demo population of n people into a fresh SQLite dir.
func seededDir(b *testing.B, n int) (string, *synth.Generator) {
	b.Helper()
	dir := b.TempDir()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	g := synth.New(synth.Options{Seed: 1, Patients: n})
	if _, err := seedDemo(context.Background(), st, g, io.Discard); err != nil {
		b.Fatal(err)
	}
	return dir, g
}

// BenchmarkMPILoad measures the rebuild of the MPI index at start from the
// demo's 1,000 people (MPI_BENCH_PEOPLE overrides) in SQLite.
func BenchmarkMPILoad(b *testing.B) {
	dir, _ := seededDir(b, benchPeople())
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m, err := mpi.NewMatcher(mpi.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		if n, err = mpi.NewLive(m).Load(context.Background(), st); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "patients")
}

// BenchmarkPatientMatchHTTP measures POST /fhir/Patient/$match over HTTP on
// the demo population (a copy of a main record each time).
//
// MPI_BENCH_DIR runs it on an existing data directory instead: one loaded
// with `dsn synth --registrations-only --dup-rate 0.2 --seed S --patients N`
// then `dsn import` and `dsn mpi link`, with MPI_BENCH_PEOPLE=N and
// MPI_BENCH_SEED=S so the queries are copies of its people.
func BenchmarkPatientMatchHTTP(b *testing.B) {
	n := benchPeople()
	var dir string
	var g *synth.Generator
	if dir = os.Getenv("MPI_BENCH_DIR"); dir != "" {
		seed, _ := strconv.ParseUint(os.Getenv("MPI_BENCH_SEED"), 10, 64)
		g = synth.New(synth.Options{Seed: seed, Patients: n, DuplicateRate: 0.2, RegistrationsOnly: true})
	} else {
		dir, g = seededDir(b, n)
	}
	m, base, stop := runMain(b, dir)
	defer stop()
	bodies := make([][]byte, 100)
	for i := range bodies {
		bodies[i] = matchBody(g.Person(i * n / len(bodies)))
	}
	var d []time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if ids, _ := postMatch(b, base, bodies[i%len(bodies)]); len(ids) == 0 {
			b.Fatal("no candidate for an indexed person")
		}
		d = append(d, time.Since(t0))
		i++
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(m.mpi.Len()), "registrations")
}

func benchPeople() int {
	if n, err := strconv.Atoi(os.Getenv("MPI_BENCH_PEOPLE")); err == nil && n > 0 {
		return n
	}
	return 1000
}
