package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/search"
	"dsn/synth"
)

// SynthWrites builds version 1 of every resource of the first n people of the
// synthetic population (seed 1), with their index rows from search.Extract:
// the realistic mix a bulk import stores (≈ 33 resources per person).
// SynthBundle is the first 26 synthetic writes (one transaction Bundle's
// worth: a Patient and its clinical resources) with row ids 1…26, as a merged
// write of the HTTP path gets them; for the index-row benchmarks.
func SynthBundle(tb testing.TB) ([]dsn.Write, []int64) {
	ws := SynthWrites(tb, 1)
	if len(ws) > 26 {
		ws = ws[:26]
	}
	rids := make([]int64, len(ws))
	for i := range rids {
		rids[i] = int64(i + 1)
	}
	return ws, rids
}

func SynthWrites(tb testing.TB, n int) []dsn.Write {
	tb.Helper()
	g := synth.New(synth.Options{Seed: 1, Patients: n})
	now := time.Now().UTC().Truncate(time.Microsecond)
	var ws []dsn.Write
	for i := range n {
		for _, obj := range g.Person(i).Resources {
			ws = append(ws, synthWrite(tb, obj, now))
		}
	}
	return ws
}

func synthWrite(tb testing.TB, obj fhir.Object, now time.Time) dsn.Write {
	idx, patient, err := search.Extract(obj)
	if err != nil {
		tb.Fatal(err)
	}
	fhir.SetMeta(obj, "1", now)
	return dsn.Write{Resource: dsn.Resource{Type: fhir.ResourceType(obj), ID: fhir.ID(obj), VersionID: 1,
		LastUpdated: now, Method: "PUT", Body: fhir.Encode(obj)}, PatientKey: patient, Index: idx}
}

// BenchPutAll stores ws in batches of batch versions, one Write each, through
// dsn.BulkTx.PutAll (the bulk import's path); each op stores all of ws once
// under fresh ids. Metrics: resources/s and index rows per resource.
func BenchPutAll(b *testing.B, s dsn.Store, ws []dsn.Write, batch int) {
	ctx := context.Background()
	rows := 0
	for _, w := range ws {
		rows += IndexRows(w.Index)
	}
	round := 0
	cpu := startCPU(s)
	for b.Loop() {
		round++
		suffix := "-r" + strconv.Itoa(round)
		for i := 0; i < len(ws); i += batch {
			part := append([]dsn.Write(nil), ws[i:min(i+batch, len(ws))]...)
			for j := range part {
				part[j].ID += suffix
			}
			err := s.Write(ctx, func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(part) })
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	rate(b, b.N*len(ws), "resources/s")
	cpu.report(b, b.N*len(ws), "resource")
	b.ReportMetric(float64(rows)/float64(len(ws)), "rows/resource")
}

// BenchPutAllParallel is BenchPutAll with clients concurrent writers, each
// storing its own batches of batch versions with one Write each: HTTP
// transaction Bundles (one PutAll of ~26 each) sharing the store's group
// commits.
func BenchPutAllParallel(b *testing.B, s dsn.Store, ws []dsn.Write, batch, clients int) {
	ctx := context.Background()
	round := 0
	cpu := startCPU(s)
	for b.Loop() {
		round++
		suffix := "-r" + strconv.Itoa(round)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(int64(batch))) - batch
					if i >= len(ws) {
						return
					}
					part := append([]dsn.Write(nil), ws[i:min(i+batch, len(ws))]...)
					for j := range part {
						part[j].ID += suffix
					}
					if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(part) }); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	rate(b, b.N*len(ws), "resources/s")
	cpu.report(b, b.N*len(ws), "resource")
}

// IndexRows counts the index rows of ix (every kind of dsn.Index).
func IndexRows(ix dsn.Index) int {
	return len(ix.Tokens) + len(ix.Strings) + len(ix.Dates) + len(ix.References) +
		len(ix.Quantities) + len(ix.Numbers) + len(ix.URIs) + len(ix.Composites) + len(ix.IdentifierTypes) + len(ix.RefIdentifiers)
}

// bulkPut runs one Write whose fn calls PutAll(ws).
func bulkPut(s dsn.Store, ws ...dsn.Write) error {
	return s.Write(context.Background(), func(tx dsn.Tx) error {
		b, ok := tx.(dsn.BulkTx)
		if !ok {
			return dsn.Errorf("storetest", dsn.KindInternal, "the store's Tx has no PutAll")
		}
		return b.PutAll(ws)
	})
}

// PutAll stores new resources, updates and tombstones like Put: readable,
// in history in order, searchable by their index rows, old rows replaced.
func testPutAll(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, res("Patient", "old", 1, at(0), tokenIndex("x", "before")), res("Patient", "gone", 1, at(0), tokenIndex("x", "g")))
	ws := []dsn.Write{
		res("Patient", "a", 1, at(1), tokenIndex("x", "bulk")),
		res("Observation", "o", 1, at(1), dsn.Index{References: []dsn.RefKey{{Param: "subject", Type: "Patient", ID: "a"}}}),
		res("Patient", "old", 2, at(1), tokenIndex("x", "bulk")),
		tombstone("Patient", "gone", 2, at(1)),
	}
	ws[1].PatientKey = "a"
	if err := bulkPut(s, ws...); err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		got, err := s.Read(ctx, w.Type, w.ID)
		if w.Deleted {
			wantKind(t, err, dsn.KindGone)
		} else if err != nil {
			t.Fatal(err)
		}
		checkResource(t, got, w)
	}
	count := func(q dsn.SearchQuery) int {
		t.Helper()
		q.Total = true
		r, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	tag := func(code string) dsn.SearchQuery {
		return dsn.SearchQuery{Type: "Patient", Clauses: []dsn.Clause{cl("tag", dsn.ParamToken, "", dsn.Value{Code: code, AnySystem: true})}}
	}
	if count(tag("bulk")) != 2 || count(tag("before")) != 0 || count(tag("g")) != 0 {
		t.Fatalf("tags after PutAll: bulk %d, before %d, g %d; want 2, 0, 0", count(tag("bulk")), count(tag("before")), count(tag("g")))
	}
	subj := dsn.SearchQuery{Type: "Observation", Clauses: []dsn.Clause{cl("subject", dsn.ParamReference, "", dsn.Value{RefType: "Patient", RefID: "a"})}}
	if count(subj) != 1 || count(dsn.SearchQuery{PatientKey: "a"}) != 1 {
		t.Fatal("the Observation written by PutAll is not found by reference or compartment")
	}
	// A later Put numbers after PutAll's versions: history stays newest first.
	put(t, s, res("Patient", "z", 1, at(2), dsn.Index{}))
	h, err := s.History(ctx, dsn.HistoryQuery{})
	if err != nil || h.Total != 7 || h.Entries[0].ID != "z" {
		t.Fatalf("history: %d versions, first %v (%v); want 7, z first", h.Total, h.Entries, err)
	}
	if err := bulkPut(s, res("Patient", "a", 2, at(3), dsn.Index{})); err != nil {
		t.Fatalf("a second PutAll on a resource PutAll created: %v", err)
	}
	// A deleted resource brought back by PutAll (the import plans it from
	// its tombstone, dsn.CurrentReader): readable and findable again.
	back := res("Patient", "gone", 3, at(4), tokenIndex("x", "back"))
	if err := bulkPut(s, back); err != nil {
		t.Fatalf("PutAll after a tombstone: %v", err)
	}
	got, err := s.Read(ctx, "Patient", "gone")
	if err != nil {
		t.Fatal(err)
	}
	checkResource(t, got, back)
	if count(tag("back")) != 1 {
		t.Fatal("the resource brought back by PutAll is not found by its index row")
	}
}

// PutAll refuses, with KindConflict and nothing written, a new id that
// exists, a version that does not follow, and an id named twice.
func testPutAllConflict(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, res("Patient", "p", 1, at(0), dsn.Index{}))
	for name, ws := range map[string][]dsn.Write{
		"existing id as new": {res("Patient", "n1", 1, at(1), dsn.Index{}), res("Patient", "p", 1, at(1), dsn.Index{})},
		"version skipped":    {res("Patient", "n1", 1, at(1), dsn.Index{}), res("Patient", "p", 3, at(1), dsn.Index{})},
		"unknown as update":  {res("Patient", "n1", 1, at(1), dsn.Index{}), res("Patient", "nobody", 2, at(1), dsn.Index{})},
		"same id twice":      {res("Patient", "n1", 1, at(1), dsn.Index{}), res("Patient", "n1", 2, at(1), dsn.Index{})},
	} {
		wantKind(t, bulkPut(s, ws...), dsn.KindConflict)
		if _, err := s.Read(ctx, "Patient", "n1"); dsn.KindOf(err) != dsn.KindNotFound {
			t.Fatalf("%s: the rest of the batch was written (%v)", name, err)
		}
	}
	got, err := s.Read(ctx, "Patient", "p")
	if err != nil || got.VersionID != 1 {
		t.Fatalf("p changed: v%d %v", got.VersionID, err)
	}
}

// 16 writers at once, each Write one PutAll (as HTTP transaction Bundles):
// the store may merge the PutAlls of a group commit, but each Write stays all
// or nothing and answers for itself. Among them, fns that fail after their
// PutAll, fns whose PutAll conflicts (a new id that exists; a merging store
// may tell them at the commit, the fn then runs again), and fns that read
// their own writes back (and some then fail).
func testConcurrentPutAll(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, res("Patient", "taken", 1, at(0), dsn.Index{}))
	const writers, each = 16, 20
	errs := concurrently(writers, each, func(g, i int) error {
		id := fmt.Sprintf("m%d-%d", g, i)
		ws := []dsn.Write{res("Patient", id, 1, at(i), tokenIndex("merge", id)),
			res("Observation", id, 1, at(i), tokenIndex("merge", id))}
		if i%7 == 3 {
			ws = append(ws, res("Patient", "taken", 1, at(i), dsn.Index{}))
		}
		return s.Write(ctx, func(tx dsn.Tx) error {
			if err := tx.(dsn.BulkTx).PutAll(ws); err != nil {
				return err
			}
			if i%4 == 1 {
				if r, err := tx.Read("Observation", id); err != nil || r.VersionID != 1 {
					return fmt.Errorf("own write not read back: %v", err)
				}
			}
			if i%5 == 0 && i%7 != 3 {
				return errBoom
			}
			return nil
		})
	})
	committed := 0
	for g := range writers {
		for i := range each {
			id := fmt.Sprintf("m%d-%d", g, i)
			_, rerr := s.Read(ctx, "Observation", id)
			switch {
			case i%7 == 3:
				wantKind(t, errs[g][i], dsn.KindConflict)
				wantKind(t, rerr, dsn.KindNotFound)
			case i%5 == 0:
				if !errors.Is(errs[g][i], errBoom) {
					t.Fatalf("%s: Write = %v, want its own error", id, errs[g][i])
				}
				wantKind(t, rerr, dsn.KindNotFound)
			default:
				if errs[g][i] != nil || rerr != nil {
					t.Fatalf("%s: Write = %v, Read = %v", id, errs[g][i], rerr)
				}
				committed++
			}
		}
	}
	sr, err := s.Search(ctx, dsn.SearchQuery{Type: "Patient", Total: true, Clauses: []dsn.Clause{{
		Param: "tag", Type: dsn.ParamToken, Values: []dsn.Value{{System: "urn:merge", AnySystem: false}}}}})
	if err != nil || sr.Total != committed {
		t.Fatalf("index rows of committed writes: total %d, %v; want %d", sr.Total, err, committed)
	}
	if got, err := s.Read(ctx, "Patient", "taken"); err != nil || got.VersionID != 1 {
		t.Fatalf("taken changed: v%d %v", got.VersionID, err)
	}
}

// AddJobs (dsn.BulkJobsTx) queues many jobs in order, after a single AddJob
// of the same transaction, readable by Jobs once committed.
func testAddJobs(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	err := s.Write(ctx, func(tx dsn.Tx) error {
		b, ok := tx.(dsn.BulkJobsTx)
		if !ok {
			return dsn.Errorf("storetest", dsn.KindInternal, "the store's Tx has no AddJobs")
		}
		if err := tx.AddJob(dsn.Job{Kind: "k", Key: "first", Created: at(0)}); err != nil {
			return err
		}
		var js []dsn.Job
		for i := range 300 {
			js = append(js, dsn.Job{Kind: "k", Key: strconv.Itoa(i), Created: at(i)})
		}
		return b.AddJobs(js)
	})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.Jobs(ctx, "k", 0, 1000)
	if err != nil || len(jobs) != 301 {
		t.Fatalf("%d jobs (%v), want 301", len(jobs), err)
	}
	if jobs[0].Key != "first" || jobs[300].Key != "299" || !jobs[300].Created.Equal(at(299)) {
		t.Fatalf("jobs out of order or altered: first %+v, last %+v", jobs[0], jobs[300])
	}
}
