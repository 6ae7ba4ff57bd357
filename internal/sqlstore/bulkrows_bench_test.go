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
	ws := storetest.SynthWrites(b, 1)
	if len(ws) > 26 {
		ws = ws[:26]
	}
	rids := make([]int64, len(ws))
	for i := range rids {
		rids[i] = int64(i + 1)
	}
	b.ReportAllocs()
	for b.Loop() {
		sqlstore.BulkIndexRows(ws, rids)
	}
}
