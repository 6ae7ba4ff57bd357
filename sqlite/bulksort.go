package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
)

// bulkCacheKiB is the writer's page cache for bulk writes into a store
// larger than it (PRAGMA cache_size, negative: KiB). The index B-trees of a
// large store do not fit the writer's ordinary cache: every batch of a
// bulk load touches leaves all over them, and each miss is a read(2) plus a
// page parse (sqlite.org/pragma.html#pragma_cache_size). A smaller store
// gets bulkSmallCacheKiB: each cache page is a separate allocation of the
// Go SQLite's allocator, given back page by page when the store closes.
const bulkCacheKiB = 256 << 10

// bulkSmallCacheKiB is the cache of bulk writes into a store smaller than
// bulkCacheKiB: the 64 MiB every write had before session 7 halved the
// writer's ordinary cache (writerCacheKiB) for the server's RSS, so that
// imports keep the cache they were measured with.
const bulkSmallCacheKiB = 64 << 10

// bulkCacheMinBatch is the smallest PutAll of a bulk import (a Write whose
// context carries dsn.WithBulkImport; an import batch is 500 or more) that
// raises the cache. A transaction Bundle's writes also go through PutAll,
// alone or merged with the rest of their group commit (bulkmerge.go), and
// never raise it, whatever their number: one Bundle of 256 entries used to
// grow a serving process by ~90 MB for good (docs/benchmarks.md, session 7;
// issue 2 keeps the server under 300 MB RSS).
const bulkCacheMinBatch = 256

// bulkCache raises the writer's page cache to bulkCacheKiB once the
// database file is larger than that, else to bulkSmallCacheKiB (it then
// stays for the connection's life). Only a bulk import's PutAll calls it
// (tx.bulk).
func (s *Store) bulkCache(ctx context.Context) error {
	var kib, pages, pageSize int64
	err := s.wconn.QueryRowContext(ctx, "SELECT * FROM pragma_cache_size, pragma_page_count, pragma_page_size").Scan(&kib, &pages, &pageSize)
	if err != nil {
		return err
	}
	want := int64(bulkCacheKiB)
	if pages*pageSize < bulkCacheKiB<<10 {
		want = bulkSmallCacheKiB
	}
	if kib < 0 && -kib >= want {
		return nil
	}
	_, err = s.wconn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size(-%d)", want))
	return err
}

// sortAll sorts the rows of every table (sortIndexRows), one goroutine per
// table: the writer waits, but the sorting is spread over the cores.
func sortAll(index map[string][][]any) {
	var wg sync.WaitGroup
	for table, rows := range index {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sortIndexRows(table, rows)
		}()
	}
	wg.Wait()
}

// indexKeys are the columns of each index table's primary key (the
// composite table's first index), from migrations 0002 and 0007.
var indexKeys = map[string][]string{
	"idx_token":           {"type", "param", "code", "system", "rid", "text"},
	"idx_string":          {"type", "param", "norm", "exact", "rid"},
	"idx_date":            {"type", "param", "low", "high", "rid"},
	"idx_reference":       {"type", "param", "ref_id", "ref_type", "url", "rid"},
	"idx_quantity":        {"type", "param", "value", "system", "code", "unit", "rid"},
	"idx_number":          {"type", "param", "value", "rid"},
	"idx_uri":             {"type", "param", "uri", "rid"},
	"idx_composite":       {"type", "param", "c1", "s1", "rid"},
	"idx_identifier_type": {"type", "param", "value", "type_code", "type_system", "rid"},
	"idx_ref_identifier":  {"type", "param", "value", "system", "rid"},
}

// sortIndexRows orders the rows of table (laid out as indexInsertCols) by
// the table's key. The bulk path inserts thousands of rows per table and
// transaction: in key order, consecutive inserts land on the same B-tree
// leaf, so fewer pages are visited, split and written to the WAL than with
// rows in resource order (sqlite.org/fileformat2.html#b_tree_pages).
func sortIndexRows(table string, rows [][]any) {
	cols := indexInsertCols(table)
	var pos []int
	for _, k := range indexKeys[table] {
		if i := slices.Index(cols, k); i >= 0 {
			pos = append(pos, i)
		}
	}
	slices.SortFunc(rows, func(a, b []any) int {
		for _, i := range pos {
			if c := compareValues(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
}

// compareValues orders two column values as SQLite does for the types the
// index rows hold: NULL first, numbers, then text by bytes (BINARY collation,
// sqlite.org/datatype3.html#sort_order).
func compareValues(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch x := a.(type) {
	case string:
		return cmp.Compare(x, b.(string))
	case int64, float64, int:
		return cmp.Compare(toFloat(a), toFloat(b))
	}
	return 0
}

func rank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case int64, float64, int:
		return 1
	case string:
		return 2
	}
	return 3
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
