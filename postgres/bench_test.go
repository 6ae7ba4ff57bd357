package postgres

import (
	"context"
	"testing"

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
func BenchmarkTx26(b *testing.B)            { storetest.BenchTx26(b, benchStore(b)) }
func BenchmarkSearch(b *testing.B)          { storetest.BenchSearch(b, benchStore(b)) }
func BenchmarkHistoryInstance(b *testing.B) { storetest.BenchHistoryInstance(b, benchStore(b)) }
func BenchmarkHistoryType(b *testing.B)     { storetest.BenchHistoryType(b, benchStore(b)) }
