package mpi

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dsn/fhir"
)

// patientJSON renders a generated Record as the Patient a store holds, so
// that the index is built as the server builds it: from decoded documents
// (fhir.Decode hands out substrings of the document).
func patientJSON(r Record) []byte {
	p := fhir.Object{"resourceType": "Patient", "id": r.ID, "birthDate": r.BirthDate, "gender": r.Sex,
		"meta": map[string]any{"versionId": "1", "lastUpdated": "2026-12-06T17:00:00.000Z"},
		"name": []any{map[string]any{"use": "official", "family": r.Family[0], "given": []any{r.Given[0]}}}}
	var ids []any
	if r.NAM != "" {
		ids = append(ids, map[string]any{"system": NAMSystem, "value": r.NAM})
	}
	for _, id := range r.Identifiers {
		ids = append(ids, map[string]any{"system": id.System, "value": id.Value,
			"type":     map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": id.Type}}},
			"assigner": map[string]any{"reference": id.Assigner}})
	}
	p["identifier"] = ids
	var addrs []any
	for _, a := range r.Addresses {
		addrs = append(addrs, map[string]any{"use": "home", "line": []any{a.Line}, "city": a.City, "state": "QC",
			"postalCode": a.PostalCode, "country": "CA"})
	}
	p["address"] = addrs
	var tel []any
	for _, ph := range r.Phones {
		tel = append(tel, map[string]any{"system": "phone", "value": ph, "use": "home"})
	}
	if tel != nil {
		p["telecom"] = tel
	}
	return fhir.Encode(p)
}

// rssBytes is the resident set size of the process (Linux; 0 elsewhere).
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkIndexMemory builds the index as the server does — each record
// from a decoded Patient document, the document then dropped — and
// reports what the index costs the process: heap bytes per record, the
// heap and RSS once the generated population is gone, the wall time of a full GC with the index live (its mark work is
// what a running server pays every cycle), and the latency of Match with
// 16 goroutines querying at once (p50, p99) while collections run back to
// back (the worst case of a busy server: marking always in progress, so
// the cost of marking the index shows in the tail) and how many
// collections completed meanwhile. MPI_BENCH_PERSONS sets the size
// (60,000 persons ≈ 96,000 records; 620,000 ≈ 1M).
func BenchmarkIndexMemory(b *testing.B) {
	memOnce.Do(func() { memIdx, memQueries = buildFromDocuments(b) })
	x, queries := memIdx, memQueries
	const workers = 16
	lat := make([][]time.Duration, workers)
	var gc0 runtime.MemStats
	runtime.ReadMemStats(&gc0)
	b.ResetTimer()
	stop := make(chan struct{})
	gcDone := make(chan struct{})
	go func() {
		defer close(gcDone)
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	var wg sync.WaitGroup
	per := b.N/workers + 1
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				t := time.Now()
				x.Match(queries[(w*per+i)%len(queries)], 10)
				lat[w] = append(lat[w], time.Since(t))
			}
		}(w)
	}
	wg.Wait()
	b.StopTimer()
	close(stop)
	<-gcDone
	var gc1 runtime.MemStats
	runtime.ReadMemStats(&gc1)
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(memPerRecord, "B/record")
	b.ReportMetric(float64(rssBytes()>>20), "RSS-MB")
	b.ReportMetric(float64(memGC.Microseconds())/1000, "fullGC-ms")
	b.ReportMetric(float64(gc1.NumGC-gc0.NumGC), "GCs")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

var (
	memOnce    sync.Once
	memIdx     *Index
	memQueries []Record
)

// buildFromDocuments builds the index of BenchmarkIndexMemory and prints
// its costs (the generated Records stay in both measures of the heap: the
// difference is the index, with whatever it keeps of the documents).
func buildFromDocuments(b *testing.B) (*Index, []Record) {
	g := genPopulation(benchN(), 99)
	rng := rngFor(5)
	queries := make([]Record, 1000)
	for i := range queries {
		queries[i] = g.persons[rng.IntN(len(g.persons))].record(fmt.Sprint("q", i), 1, rng)
	}
	n := len(g.records)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, _ := NewMatcher(DefaultConfig())
	x := NewIndex(m)
	start := time.Now()
	for _, r := range g.records { // each document is garbage once indexed
		p, err := fhir.Decode(patientJSON(r))
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Add(FromPatient(p)); err != nil {
			b.Fatal(err)
		}
	}
	build := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	memPerRecord = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
	runtime.KeepAlive(g)
	g = nil // from here the heap is the index (and the 1,000 queries)
	runtime.GC()
	debug.FreeOSMemory()
	gcStart := time.Now()
	runtime.GC()
	memGC = time.Since(gcStart)
	var idx runtime.MemStats
	runtime.ReadMemStats(&idx)
	fmt.Printf("index memory: %d records, built in %v, %.0f bytes/record, heap %d MB, RSS %d MB, full GC %v\n",
		n, build.Round(time.Millisecond), memPerRecord, idx.HeapAlloc>>20, rssBytes()>>20, memGC.Round(time.Millisecond))
	return x, queries
}

var (
	memGC        time.Duration
	memPerRecord float64
)
