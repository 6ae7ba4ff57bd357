package fhirapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/internal/cputime"
	"dsn/mpi"
	"dsn/repo"
	"dsn/sqlite"
	"dsn/synth"
)

// matchBenchPeople is the population of BenchmarkPatientMatch:
// MPI_BENCH_PEOPLE people (default 20,000; ≈1.2 registrations each).
func matchBenchPeople() int {
	if n, err := strconv.Atoi(os.Getenv("MPI_BENCH_PEOPLE")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// matchBench is a server over SQLite whose live index holds the
// registrations of a synth population, with $match bodies for copies of
// some of its people.
type matchBench struct {
	srv    *httptest.Server
	live   *mpi.Live
	bodies [][]byte
}

var (
	matchBenchOnce sync.Once
	matchBenchSrv  *matchBench
	matchBenchDir  string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if matchBenchDir != "" {
		os.RemoveAll(matchBenchDir)
	}
	os.Exit(code)
}

func newMatchBench(b *testing.B) *matchBench {
	matchBenchOnce.Do(func() {
		n := matchBenchPeople()
		dir, err := os.MkdirTemp("", "dsn-match-bench-")
		if err != nil {
			b.Fatal(err)
		}
		matchBenchDir = dir
		st, err := sqlite.Open(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		m, _ := mpi.NewMatcher(mpi.DefaultConfig())
		live := mpi.NewLive(m)
		svc := repo.New(repo.Options{Store: st, OnCommit: func(rs []dsn.Resource) { live.Apply(rs) }})
		g := synth.New(synth.Options{Seed: 7, Patients: n, DuplicateRate: 0.2, RegistrationsOnly: true})
		start := time.Now()
		var entries []string
		flush := func() {
			if len(entries) == 0 {
				return
			}
			body := `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`
			if _, err := svc.Bundle(context.Background(), "", []byte(body), false); err != nil {
				b.Fatal(err)
			}
			entries = entries[:0]
		}
		mb := &matchBench{live: live}
		err = g.Each(func(p *synth.Person) error {
			for _, r := range p.Resources {
				if fhir.ResourceType(r) != "Patient" {
					continue
				}
				entries = append(entries, fmt.Sprintf(`{"resource":%s,"request":{"method":"PUT","url":"Patient/%s"}}`, fhir.Encode(r), fhir.ID(r)))
			}
			if len(entries) >= 1000 {
				flush()
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		flush()
		fmt.Printf("match bench: %d people, %d registrations indexed in %v\n", n, live.Len(), time.Since(start).Round(time.Second))
		for i := 0; i < 200; i++ {
			p := g.Person(i * n / 200)
			pat := fhir.Object{}
			for k, v := range p.Resources[0] {
				if k != "id" && k != "meta" {
					pat[k] = v
				}
			}
			if i%2 == 1 { // one query in two without its NAM, as bench's match scenario
				delete(pat, "identifier")
			}
			mb.bodies = append(mb.bodies, fhir.Encode(fhir.Object{"resourceType": "Parameters", "parameter": []any{
				map[string]any{"name": "resource", "resource": pat}}}))
		}
		mb.srv = httptest.NewServer(New(Options{Repo: svc, MPI: live.Index,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Auditor: &discardAuditor{}}))
		matchBenchSrv = mb
	})
	return matchBenchSrv
}

type discardAuditor struct{}

func (discardAuditor) Audit(context.Context, Record) {}

// post sends one $match and checks that it found something.
func (mb *matchBench) post(b *testing.B, c *http.Client, body []byte) {
	res, err := c.Post(mb.srv.URL+"/fhir/Patient/$match", "application/fhir+json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Contains(raw, []byte(`"mode":"match"`)) {
		b.Fatalf("$match: %d %.300s", res.StatusCode, raw)
	}
}

// BenchmarkPatientMatch measures POST Patient/$match in process over HTTP
// (no access control nor journal: the operation alone) on a synth
// population's registrations: latency percentiles and the CPU time of the
// whole process per request (server and the in-process client).
func BenchmarkPatientMatch(b *testing.B) {
	mb := newMatchBench(b)
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	mb.post(b, c, mb.bodies[0])
	lat := make([]time.Duration, 0, b.N)
	cpu0 := cputime.Process()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		mb.post(b, c, mb.bodies[i%len(mb.bodies)])
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(mb.live.Len()), "registrations")
}
