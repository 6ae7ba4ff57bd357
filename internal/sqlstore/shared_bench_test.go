package sqlstore

import (
	"testing"

	"dsn"
	"dsn/internal/cputime"
	"dsn/storetest"
)

// go test -run X -bench Share -cpu 1 ./internal/sqlstore: sharing the index
// rows of the synthetic population's resources (20 people), one resource per
// op — the part of every write's index rows (IndexRows, PostgreSQL's index
// document) that decision 0018 added.
func BenchmarkShare(b *testing.B) {
	ws := storetest.SynthWrites(b, 20)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	b.ResetTimer()
	for i := range b.N {
		Share(&ws[i%len(ws)].Index)
	}
	b.StopTimer()
	// CPU, not wall time: the machine is shared
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkShareRef: the same with session 7's grouping (shareRef), the
// before of docs/benchmarks.md session 8.
func BenchmarkShareRef(b *testing.B) {
	ws := storetest.SynthWrites(b, 20)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	b.ResetTimer()
	for i := range b.N {
		shareRef(&ws[i%len(ws)].Index)
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkWithShared: the same through WithShared, the writers' path
// (buffers for the merged keys reused from a pool).
func BenchmarkWithShared(b *testing.B) {
	ws := storetest.SynthWrites(b, 20)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	b.ResetTimer()
	for i := range b.N {
		WithShared(&ws[i%len(ws)].Index, func(*dsn.Index) {})
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}
