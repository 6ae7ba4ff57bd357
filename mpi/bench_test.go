package mpi

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchN is the number of persons generated for the benchmarks (≈1.6 records
// each): 60,000 by default (≈100k records); MPI_BENCH_PERSONS=620000 gives ≈1M.
func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("MPI_BENCH_PERSONS")); err == nil && n > 0 {
		return n
	}
	return 60000
}

var benchOnce sync.Once
var benchIdx *Index
var benchGen *generated

func benchIndex(b *testing.B) (*Index, *generated) {
	benchOnce.Do(func() {
		benchGen = genPopulation(benchN(), 99)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, _ := NewMatcher(DefaultConfig())
		benchIdx = NewIndex(m)
		start := time.Now()
		for _, r := range benchGen.records {
			_ = benchIdx.Add(r)
		}
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		fmt.Printf("index: %d records, built in %v, %.0f bytes/record (heap incl. the Records)\n",
			len(benchGen.records), took.Round(time.Millisecond), float64(after.HeapAlloc-before.HeapAlloc)/float64(len(benchGen.records)))
	})
	return benchIdx, benchGen
}

// BenchmarkMatch measures one $match-like query (a noisy copy of an indexed
// person) and reports the p99 latency of the run.
func BenchmarkMatch(b *testing.B) {
	x, g := benchIndex(b)
	timeQueries(b, g, func(q Record) { x.Match(q, 10) })
}

// BenchmarkMatchOperation measures what Patient/$match asks of the index
// for count=10: the 40 best candidates ranked, the first 10 explained.
func BenchmarkMatchOperation(b *testing.B) {
	x, g := benchIndex(b)
	timeQueries(b, g, func(q Record) {
		ms := x.MatchRanked(q, 40)
		for k := range ms[:min(10, len(ms))] {
			x.Explain(&ms[k])
		}
	})
}

// timeQueries runs op b.N times over 1,000 noisy copies of indexed persons
// (the same for every benchmark: seed 5) and reports the p99 latency.
func timeQueries(b *testing.B, g *generated, op func(Record)) {
	rng := rngFor(5)
	queries := make([]Record, 1000)
	for i := range queries {
		p := g.persons[rng.IntN(len(g.persons))]
		queries[i] = p.record(fmt.Sprint("q", i), 1, rng)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		op(queries[i%len(queries)])
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkPairs measures the full duplicate scan of the index.
func BenchmarkPairs(b *testing.B) {
	x, _ := benchIndex(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pairs := x.Pairs(x.Matcher().Config().Probable)
		b.ReportMetric(float64(len(pairs)), "pairs")
	}
}

// BenchmarkScore measures one full explained comparison.
func BenchmarkScore(b *testing.B) {
	m, _ := NewMatcher(DefaultConfig())
	a := person("Tremblay-Gagnon", "Marie-Ève", "1972-08-12", "female", "TREM72581219")
	c := person("Tremblay", "Marie Eve", "1972-12-08", "female", "")
	for i := 0; i < b.N; i++ {
		m.Score(a, c)
	}
}
