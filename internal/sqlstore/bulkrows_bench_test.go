package sqlstore_test

import (
	"testing"

	"dsn/internal/sqlstore"
	"dsn/storetest"
)

// go test -run X -bench BulkIndexRowsBundle -benchmem ./internal/sqlstore:
// the index rows of one transaction Bundle's PutAll (26 synthetic
// resources), as each merged write of the HTTP path makes them.
func BenchmarkBulkIndexRowsBundle(b *testing.B) {
	ws, rids := storetest.SynthBundle(b)
	b.ReportAllocs()
	for b.Loop() {
		sqlstore.BulkIndexRows(ws, rids)
	}
}
