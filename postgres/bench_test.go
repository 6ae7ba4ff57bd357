package postgres

import (
	"context"
	"fmt"
	"testing"

	"dsn"
	"dsn/storetest"
)

// go test -run X -bench . ./postgres  (a fresh schema in DSN_TEST_POSTGRES).
func benchStore(b *testing.B) *Store {
	s, err := Open(context.Background(), freshSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkPut(b *testing.B)             { storetest.BenchPut(b, benchStore(b)) }
func BenchmarkPutParallel(b *testing.B)     { storetest.BenchPutParallel(b, benchStore(b)) }
func BenchmarkRead(b *testing.B)            { storetest.BenchRead(b, benchStore(b)) }
func BenchmarkUpdateParallel(b *testing.B)  { storetest.BenchUpdateParallel(b, benchStore(b)) }
func BenchmarkTx26(b *testing.B)            { storetest.BenchTx26(b, benchStore(b)) }
func BenchmarkSearch(b *testing.B)          { storetest.BenchSearch(b, benchStore(b)) }
func BenchmarkHistoryInstance(b *testing.B) { storetest.BenchHistoryInstance(b, benchStore(b)) }
func BenchmarkHistoryType(b *testing.B)     { storetest.BenchHistoryType(b, benchStore(b)) }

// go test -run X -bench PutAll ./postgres: the bulk path (COPY) on 100
// synthetic people; batches of 26 are a transaction Bundle's PutAll, one commit each.
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

// go test -run X -bench PutIDs ./postgres (DSN_BENCH_PREFILL=N Patients first)
func BenchmarkPutIDs(b *testing.B) {
	storetest.BenchPutIDs(b, func(b *testing.B) dsn.Store { return benchStore(b) })
}

// go test -run X -bench PutSynthParallel ./postgres: the create's Put with real index rows.
func BenchmarkPutSynthParallel(b *testing.B) { storetest.BenchPutSynthParallel(b, benchStore(b)) }
