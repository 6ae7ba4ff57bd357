package provincial

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/internal/cputime"
	"dsn/mpi"
	"dsn/repo"
	"dsn/search"
	"dsn/synth"
)

// benchEnv loads the Patients of MPI_BENCH_PEOPLE synthetic people (default
// 2,000) into a linked provincial record and returns it with Patients of
// other people to create during the benchmark.
func benchEnv(b *testing.B) (*env, []fhir.Object) {
	b.Helper()
	n := 2000
	if s, err := strconv.Atoi(os.Getenv("MPI_BENCH_PEOPLE")); err == nil && s > 0 {
		n = s
	}
	e := newEnv(b)
	g := synth.New(synth.Options{Seed: 5, Patients: n + 2000, DuplicateRate: 0.2, HistoryYears: 1})
	var load, fresh []fhir.Object
	for i := 0; i < n+2000; i++ {
		for _, r := range g.Person(i).Resources {
			if fhir.ResourceType(r) != "Patient" {
				continue
			}
			if i < n {
				load = append(load, r)
			} else {
				delete(r, "id")
				fresh = append(fresh, r)
			}
		}
		if len(load) >= 500 || i == n-1 {
			if _, errs := e.api.Import(e.ctx, load); slices.ContainsFunc(errs, func(err error) bool { return err != nil }) {
				b.Fatalf("import: %v", errs)
			}
			load = load[:0]
		}
	}
	e.drain()
	return e, fresh
}

// latencies reports p50 and p99 of the durations of each op.
func latencies(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	if len(d) == 0 {
		return
	}
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
}

// createNth creates the i-th Patient of fresh (round and round) through
// svc and returns when the create began (after encoding).
func createNth(b *testing.B, e *env, svc *repo.Service, fresh []fhir.Object, i int) time.Time {
	body := fhir.Encode(fresh[i%len(fresh)])
	t0 := time.Now()
	if _, err := svc.Create(e.ctx, "Patient", body, ""); err != nil {
		b.Fatal(err)
	}
	return t0
}

// BenchmarkPatientCreate measures what linking adds to a Patient create
// (FHIR create through repo, one client, real SQLite with fsync): "plain"
// writes through the store alone, "linked" through Enqueue (golden record,
// refer link and link job in the same transaction). The difference is the
// cost on the create's path; matching runs after the commit (see
// BenchmarkCreateThenLink).
func BenchmarkPatientCreate(b *testing.B) {
	e, fresh := benchEnv(b)
	for _, mode := range []string{"plain", "linked"} {
		b.Run(mode, func(b *testing.B) {
			st := e.store
			if mode == "linked" {
				st = Enqueue(e.store, EnqueueOptions{})
			}
			svc := repo.New(repo.Options{Store: st})
			var d []time.Duration
			for i := 0; b.Loop(); i++ {
				t0 := createNth(b, e, svc, fresh, i)
				d = append(d, time.Since(t0))
			}
			latencies(b, d)
			if mode == "linked" {
				e.drain() // the jobs do not pile up into the next benchmark
			}
		})
	}
}

// BenchmarkCreateThenLink measures a registration from its create to its
// link committed: create through Enqueue, then the linker (match against the
// index, decide, write, delete the job) in its own transaction.
func BenchmarkCreateThenLink(b *testing.B) {
	e, fresh := benchEnv(b)
	svc := repo.New(repo.Options{Store: Enqueue(e.store, EnqueueOptions{})})
	var d, link []time.Duration
	for i := 0; b.Loop(); i++ {
		t0 := createNth(b, e, svc, fresh, i)
		t1 := time.Now()
		if n, err := e.svc.Drain(e.ctx); err != nil || n != 1 {
			b.Fatalf("drain: %d, %v", n, err)
		}
		d = append(d, time.Since(t0))
		link = append(link, time.Since(t1))
	}
	latencies(b, d)
	slices.Sort(link)
	if len(link) > 0 {
		b.ReportMetric(float64(link[len(link)/2].Microseconds())/1000, "link-p50-ms")
	}
	b.ReportMetric(float64(e.live.Len()), "registrations")
}

// BenchmarkSameContent measures the linker's check that a golden record
// recomputed from its one registration is the stored one (work.refresh, on
// every create's link): the stored version, decoded with its meta, against
// the recomputed object.
func BenchmarkSameContent(b *testing.B) {
	g := synth.New(synth.Options{Seed: 5, Patients: 1})
	var reg fhir.Object
	for _, r := range g.Person(0).Resources {
		if fhir.ResourceType(r) == "Patient" {
			reg = r
			break
		}
	}
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	golden := func() fhir.Object {
		ss := []source{{id: "reg-1", updated: now, obj: reg}}
		o := survive(ss, now)
		dress(o, "gold-1", ss, nil)
		return o
	}
	stored := golden()
	fhir.SetMeta(stored, "1", now)
	prev, err := fhir.Decode(fhir.Encode(stored))
	if err != nil {
		b.Fatal(err)
	}
	next := golden()
	if !sameContent(prev, next) {
		b.Fatal("the recomputed golden record differs from the stored one")
	}
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		sameContent(prev, next)
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
}

// BenchmarkCreateParallel is the server's Patient create load in process:
// 16 clients create new registrations through Enqueue (golden record, refer
// link, link job) while the linker runs as the server runs it (woken after
// each commit), over a store holding MPI_BENCH_PEOPLE people. The new
// registrations are of other people, one each (as the HTTP bench's random
// Patients): most match nobody. cpu-µs/op is the process's CPU per create,
// the linker's work included: the benchmark stops the clock once every job
// is done. Use -benchtime Nx with N at most 3,000, so that no create repeats
// one.
func BenchmarkCreateParallel(b *testing.B) {
	e, _ := benchEnv(b)
	g := synth.New(synth.Options{Seed: 9, Patients: 3000, DuplicateRate: -1, RegistrationsOnly: true})
	var fresh []fhir.Object
	for i := range 3000 {
		for _, r := range g.Person(i).Resources {
			if fhir.ResourceType(r) == "Patient" {
				delete(r, "id")
				fresh = append(fresh, r)
			}
		}
	}
	svc := repo.New(repo.Options{Store: Enqueue(e.store, EnqueueOptions{Notify: e.svc.Notify})})
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.svc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	var next atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	if f := os.Getenv("MPI_BENCH_PROFILE"); f != "" && b.N > 1 { // a CPU profile of the measured creates only
		out, _ := os.Create(f)
		pprof.StartCPUProfile(out)
		defer pprof.StopCPUProfile()
	}
	cpu0 := cputime.Process()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			createNth(b, e, svc, fresh, int(next.Add(1)-1))
		}
	})
	for {
		jobs, err := e.raw.Jobs(e.ctx, JobLink, 0, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(jobs) == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
}

// BenchmarkNewRegistration measures what Enqueue computes in the writer for
// a new registration besides the two Puts: decode it, build its golden
// record (survivorship, index rows, encoding) and rewrite it with its
// "refer" link (index rows, encoding) — registration(), which Put and the
// bulk path share.
func BenchmarkNewRegistration(b *testing.B) {
	g := synth.New(synth.Options{Seed: 9, Patients: 100, DuplicateRate: -1, RegistrationsOnly: true})
	var ws []dsn.Write
	for i := range 100 {
		for _, r := range g.Person(i).Resources {
			if fhir.ResourceType(r) != "Patient" {
				continue
			}
			fhir.SetMeta(r, "1", time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
			ix, key, err := search.Extract(r)
			if err != nil {
				b.Fatal(err)
			}
			ws = append(ws, dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: fhir.ID(r), VersionID: 1,
				LastUpdated: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Method: "POST", Body: fhir.Encode(r)}, PatientKey: key, Index: ix})
		}
	}
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for i := 0; b.Loop(); i++ {
		if _, err := registration(ws[i%len(ws)], "gold-1"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
}

// BenchmarkPlan measures the linker's work outside the writer for one new
// registration that matches nobody (settled), over a store of
// MPI_BENCH_PEOPLE people: "live" is Service.plan, which matches the record
// Live prepared at commit (decision 0027); "decoded" is the path before it,
// which decoded the Patient and extracted its record again.
func BenchmarkPlan(b *testing.B) {
	e, _ := benchEnv(b)
	g := synth.New(synth.Options{Seed: 9, Patients: 500, DuplicateRate: -1, RegistrationsOnly: true})
	svc := repo.New(repo.Options{Store: Enqueue(e.store, EnqueueOptions{})})
	var ids []string
	for i := range 500 {
		for _, r := range g.Person(i).Resources {
			if fhir.ResourceType(r) != "Patient" {
				continue
			}
			delete(r, "id")
			out, err := svc.Create(e.ctx, "Patient", fhir.Encode(r), "")
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, out.Resource.ID)
		}
	}
	for _, mode := range []string{"decoded", "live"} {
		b.Run(mode, func(b *testing.B) {
			settled := 0
			cpu0 := cputime.Process()
			for i := 0; b.Loop(); i++ {
				id := ids[i%len(ids)]
				var p plan
				if mode == "live" {
					p = e.svc.plan(e.ctx, id)
				} else {
					res, err := e.store.Read(e.ctx, "Patient", id)
					if err != nil {
						b.Fatal(err)
					}
					obj, err := fhir.Decode(res.Body)
					if err != nil {
						b.Fatal(err)
					}
					e.live.Apply([]dsn.Resource{res})
					rec := mpi.FromPatient(obj)
					p = plan{rec: rec, matches: e.live.MatchRanked(rec, maxCandidates), ok: true}
					p.settled = e.svc.settled(e.ctx, res, obj, p.matches)
				}
				if p.settled {
					settled++
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
			b.ReportMetric(float64(settled)/float64(b.N), "settled")
		})
	}
}
