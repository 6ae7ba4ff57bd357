package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
	"dsn/internal/cputime"
	"dsn/internal/sqlstore"
	"dsn/storetest"
)

// go test -run X -bench . ./sqlite  (the database lives in a temporary directory
// on the same disk as the test's TMPDIR).
func benchStore(b *testing.B) *Store {
	s, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkPut(b *testing.B)             { storetest.BenchPut(b, benchStore(b)) }
func BenchmarkPutParallel(b *testing.B)     { storetest.BenchPutParallel(b, benchStore(b)) }
func BenchmarkRead(b *testing.B)            { storetest.BenchRead(b, benchStore(b)) }
func BenchmarkTx26(b *testing.B)            { storetest.BenchTx26(b, benchStore(b)) }
func BenchmarkSearch(b *testing.B)          { storetest.BenchSearch(b, benchStore(b)) }
func BenchmarkHistoryInstance(b *testing.B) { storetest.BenchHistoryInstance(b, benchStore(b)) }
func BenchmarkHistoryType(b *testing.B)     { storetest.BenchHistoryType(b, benchStore(b)) }

// go test -run X -bench PutAll ./sqlite: the bulk path on 100 synthetic people;
// batches of 26 are a transaction Bundle's PutAll, one commit each.
func BenchmarkPutAll(b *testing.B) {
	ws := storetest.SynthWrites(b, 100)
	for _, batch := range []int{26, 500, 2000} {
		b.Run(fmt.Sprint(batch), func(b *testing.B) { storetest.BenchPutAll(b, benchStore(b), ws, batch) })
	}
}

// go test -run X -bench PutAllParallel: 16 clients each storing batches of
// 26 (transaction Bundles over HTTP) share the group commits.
func BenchmarkPutAllParallel(b *testing.B) {
	ws := storetest.SynthWrites(b, 100)
	storetest.BenchPutAllParallel(b, benchStore(b), ws, 26, 16)
}

// go test -run X -bench PutIDs ./sqlite (DSN_BENCH_PREFILL=N Patients first)
func BenchmarkPutIDs(b *testing.B) {
	storetest.BenchPutIDs(b, func(b *testing.B) dsn.Store { return benchStore(b) })
}

// go test -run X -bench PutSynthParallel ./sqlite: the create's Put with real index rows.
func BenchmarkPutSynthParallel(b *testing.B) { storetest.BenchPutSynthParallel(b, benchStore(b)) }

// go test -run X -bench BulkIndexRows -benchmem ./sqlite: making and sorting
// the index rows of a bulk PutAll (batches of 500 synthetic resources), the
// work its writer waits for.
func BenchmarkBulkIndexRows(b *testing.B) {
	ws := storetest.SynthWrites(b, 100)
	rids := make([]int64, len(ws))
	for i := range rids {
		rids[i] = int64(i + 1)
	}
	cpu0 := cputime.Process()
	b.ResetTimer()
	for b.Loop() {
		for i := 0; i < len(ws); i += 500 {
			j := min(i+500, len(ws))
			sortAll(sqlstore.BulkIndexRows(ws[i:j], rids[i:j]))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ws)), "ns/resource")
	// CPU of every goroutine, not wall time: the machine is shared
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N*len(ws)), "cpu-ns/resource")
}

// go test -run X -bench SyncPipeline ./sqlite: the group commit's pipeline
// alone. 16 clients each store a small resource without index rows, so the
// rate shows how many fsync latencies each write waits for rather than the
// CPU of a write: /fsync with the real WAL fsync, /sleep with a fixed 2.5 ms
// sleep in its place (an idle flush of the project VM's disk, README.md),
// which the other load on a shared machine does not change.
func BenchmarkSyncPipeline(b *testing.B) {
	b.Run("fsync", func(b *testing.B) { benchSyncPipeline(b, false) })
	b.Run("sleep", func(b *testing.B) { benchSyncPipeline(b, true) })
}

func benchSyncPipeline(b *testing.B, sleep bool) {
	s := benchStore(b)
	if sleep {
		s.syncWAL = func() error { time.Sleep(2500 * time.Microsecond); return nil }
	}
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := dsn.Write{Resource: dsn.Resource{Type: "Basic", ID: "p" + strconv.FormatInt(next.Add(1), 10), VersionID: 1,
				LastUpdated: time.Now(), Method: "POST", Body: []byte(`{"resourceType":"Basic"}`)}}
			if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
}
