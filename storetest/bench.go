package storetest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
)

// Benchmarks shared by both adapters; each reports ops/s ("writes/s", "reads/s").
// The resource is a ~1 KiB Patient with 12 index rows, like a real create.

var benchSeq atomic.Int64

// benchPatient makes version 1 of a new Patient with a unique id.
func benchPatient(prefix string) dsn.Write {
	id := fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), benchSeq.Add(1))
	now := time.Now().UTC().Truncate(time.Microsecond)
	body := fmt.Sprintf(`{"resourceType":"Patient","id":%q,"meta":{"versionId":"1","lastUpdated":%q},`+
		`"identifier":[{"system":"https://www.ramq.gouv.qc.ca/nam","value":"GAGM80010112"}],`+
		`"name":[{"family":"Gagnon","given":["Marie","Émilie"]}],"gender":"female","birthDate":"1980-01-01",`+
		`"address":[{"line":["1234 rue Sherbrooke Est"],"city":"Montréal","state":"QC","postalCode":"H2L 1M1"}],`+
		`"telecom":[{"system":"phone","value":"514-555-0101"}],"text":{"status":"generated","div":%q}}`,
		id, dsn.FormatInstant(now), "<div xmlns=\"http://www.w3.org/1999/xhtml\">"+strings.Repeat("Marie Gagnon ", 40)+"</div>")
	lo := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	return dsn.Write{
		Resource:   dsn.Resource{Type: "Patient", ID: id, VersionID: 1, LastUpdated: now, Method: "POST", Body: []byte(body), PatientKey: id},
		PatientKey: id,
		Index: dsn.Index{
			Tokens: []dsn.TokenKey{{Param: "identifier", System: "https://www.ramq.gouv.qc.ca/nam", Code: id},
				{Param: "gender", System: "http://hl7.org/fhir/administrative-gender", Code: "female"},
				{Param: "telecom", System: "phone", Code: "514-555-0101"}, {Param: "active", Code: "true"}},
			Strings: []dsn.StringKey{{Param: "family", Norm: "gagnon", Exact: "Gagnon"}, {Param: "given", Norm: "marie", Exact: "Marie"},
				{Param: "given", Norm: "emilie", Exact: "Émilie"}, {Param: "name", Norm: "gagnon", Exact: "Gagnon"},
				{Param: "address-city", Norm: "montreal", Exact: "Montréal"}, {Param: "address-postalcode", Norm: "h2l 1m1", Exact: "H2L 1M1"}},
			Dates: []dsn.DateKey{{Param: "birthdate", Low: lo, High: lo.AddDate(0, 0, 1)}},
			URIs:  []dsn.URIKey{{Param: "_profile", URI: "http://example.org/StructureDefinition/qc-patient"}},
		},
	}
}

func rate(b *testing.B, n int, unit string) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), unit)
}

// BenchPut creates one Patient per Write from a single goroutine: every write
// pays its own commit (no batching possible).
func BenchPut(b *testing.B, s dsn.Store) {
	ctx := context.Background()
	cpu := startCPU(s)
	for b.Loop() {
		w := benchPatient("bp")
		if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
			b.Fatal(err)
		}
	}
	rate(b, b.N, "writes/s")
	cpu.report(b, b.N, "write")
}

// BenchPutParallel creates Patients from 16 concurrent clients (8 per
// GOMAXPROCS on 2 cores): group commit shares each fsync.
func BenchPutParallel(b *testing.B, s dsn.Store) {
	ctx := context.Background()
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	cpu := startCPU(s)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := benchPatient("bpp")
			if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	rate(b, b.N, "writes/s")
	cpu.report(b, b.N, "write")
}

// BenchUpdateParallel updates Patients from 16 concurrent clients, each its
// own Patient: every Write reads the current version and puts the next one,
// as a PUT does (on PostgreSQL the read takes the resource's lock, decision
// 0038; with no contention it is never waited for).
func BenchUpdateParallel(b *testing.B, s dsn.Store) {
	ctx := context.Background()
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	cpu := startCPU(s)
	b.RunParallel(func(pb *testing.PB) {
		w := benchPatient("bup")
		for pb.Next() {
			err := s.Write(ctx, func(tx dsn.Tx) error {
				next := w
				cur, err := tx.Read(w.Type, w.ID)
				switch {
				case err == nil:
					next.VersionID = cur.VersionID + 1
				case dsn.KindOf(err) != dsn.KindNotFound:
					return err
				}
				return tx.Put(next)
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	rate(b, b.N, "writes/s")
	cpu.report(b, b.N, "write")
}

// BenchRead reads Patients by id from 16 concurrent clients.
func BenchRead(b *testing.B, s dsn.Store) {
	ctx := context.Background()
	const n = 1000
	ids := make([]string, n)
	for i := range ids {
		w := benchPatient("br")
		ids[i] = w.ID
		if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[next.Add(1)%n]
			if _, err := s.Read(ctx, "Patient", id); err != nil {
				b.Error(err)
				return
			}
		}
	})
	rate(b, b.N, "reads/s")
}

// BenchTx26 writes a 26-resource transaction (one Write, one fn) per op, as a
// transaction Bundle would, from a single client.
func BenchTx26(b *testing.B, s dsn.Store) {
	ctx := context.Background()
	cpu := startCPU(s)
	for b.Loop() {
		ws := make([]dsn.Write, 26)
		for i := range ws {
			ws[i] = benchPatient("tx")
		}
		err := s.Write(ctx, putAll(ws))
		if err != nil {
			b.Fatal(err)
		}
	}
	rate(b, b.N, "tx/s")
	rate(b, 26*b.N, "resources/s")
	cpu.report(b, 26*b.N, "resource")
}

// BenchSearch finds one Patient by identifier among 5,000, with a family-name
// clause ANDed (both match through the index tables), from 16 concurrent clients.
func BenchSearch(b *testing.B, s dsn.Store) {
	ctx := context.Background()
	const n = 5000
	ids := make([]string, n)
	for i := 0; i < n; i += 50 {
		ws := make([]dsn.Write, 50)
		for j := range ws {
			ws[j] = benchPatient("bs")
			ids[i+j] = ws[j].ID
		}
		err := s.Write(ctx, putAll(ws))
		if err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[next.Add(1)%n]
			r, err := s.Search(ctx, dsn.SearchQuery{Type: "Patient", Clauses: []dsn.Clause{
				{Param: "identifier", Type: dsn.ParamToken, Values: []dsn.Value{{System: "https://www.ramq.gouv.qc.ca/nam", Code: id}}},
				{Param: "family", Type: dsn.ParamString, Values: []dsn.Value{{Text: "gag"}}},
			}})
			if err != nil || len(r.Matches) != 1 {
				b.Errorf("search %s: %d matches, %v", id, len(r.Matches), err)
				return
			}
		}
	})
	rate(b, b.N, "searches/s")
}

// BenchPutIDs measures how the id source shapes write cost on a store that
// already holds DSN_BENCH_PREFILL Patients (default 50,000, written first
// with ids of the same source): each op is one Write of 26 new Patients,
// like a transaction Bundle. Random ids insert at random pages of every
// B-tree keyed by id; time-ordered ones at the right edge
// (docs/decisions/0009-time-ordered-ids.md).
func BenchPutIDs(b *testing.B, open func(b *testing.B) dsn.Store) {
	prefill := 50_000
	if v := os.Getenv("DSN_BENCH_PREFILL"); v != "" {
		fmt.Sscan(v, &prefill)
	}
	for _, src := range []struct {
		name string
		ids  dsn.IDSource
	}{{"random", dsn.RandomIDs{}}, {"time-ordered", dsn.TimeOrderedIDs{}}} {
		b.Run(src.name, func(b *testing.B) {
			s := open(b)
			ctx := context.Background()
			put := func(n int) {
				ws := make([]dsn.Write, n)
				for i := range ws {
					ws[i] = benchPatientID(src.ids.NewID())
				}
				err := s.Write(ctx, func(tx dsn.Tx) error {
					for _, w := range ws {
						if err := tx.Put(w); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			for done := 0; done < prefill; done += 1000 {
				put(min(1000, prefill-done))
			}
			b.ResetTimer()
			cpu := startCPU(s)
			for b.Loop() {
				put(26)
			}
			rate(b, 26*b.N, "writes/s")
			cpu.report(b, 26*b.N, "write")
		})
	}
}

// benchPatientID is benchPatient with the given id.
func benchPatientID(id string) dsn.Write {
	w := benchPatient("x")
	old := w.ID
	w.ID, w.PatientKey, w.Resource.PatientKey = id, id, id
	w.Body = []byte(strings.Replace(string(w.Body), old, id, 1))
	w.Index.Tokens[0].Code = id
	return w
}

// BenchPutSynthParallel creates, from 16 concurrent clients, one synthetic
// resource per Write through Put (the FHIR create's path), cycling through
// the resources of 20 synthetic people (Patients, Encounters, Observations,
// Conditions… with the rows search.Extract gives them) under fresh ids.
func BenchPutSynthParallel(b *testing.B, s dsn.Store) {
	ws := SynthWrites(b, 20)
	rows := 0
	for _, w := range ws {
		rows += IndexRows(w.Index)
	}
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	cpu := startCPU(s)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			w := ws[n%int64(len(ws))]
			w.ID += "-s" + strconv.FormatInt(n, 10)
			if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	rate(b, b.N, "writes/s")
	cpu.report(b, b.N, "write")
	b.ReportMetric(float64(rows)/float64(len(ws)), "rows/write")
}
