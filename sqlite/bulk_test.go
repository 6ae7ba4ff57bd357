package sqlite

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/repo"
	"dsn/storetest"
	"dsn/synth"
)

// PutAll stores exactly the index rows Put stores, in every idx_ table of
// the schema (tables a later migration adds included): the synthetic
// population's resources are written once each way, under two id suffixes.
func TestPutAllSameRowsAsPut(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// 10 people: enough rows of one type and param for insertIndexMany's
	// shared statements (minSharedRows)
	ws := storetest.SynthWrites(t, 10)
	one, all := renamed(ws, "-put"), renamed(ws, "-all")
	err = s.Write(context.Background(), func(tx dsn.Tx) error {
		for _, w := range one {
			if err := tx.Put(w); err != nil {
				return err
			}
		}
		return tx.(dsn.BulkTx).PutAll(all)
	})
	if err != nil {
		t.Fatal(err)
	}
	shared := false
	for key := range s.inserts {
		shared = shared || strings.HasPrefix(key, "bulk-tp/")
	}
	if !shared {
		t.Error("no statement with type and param bound once (insertIndexMany): the comparison does not cover it")
	}
	tables := queryStrings(t, s, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'idx\_%' ESCAPE '\'`)
	if len(tables) < len(indexColumns) {
		t.Fatalf("only %d index tables: %v", len(tables), tables)
	}
	for _, table := range tables {
		if _, ok := indexColumns[table]; !ok {
			t.Errorf("table %s is not in sqlstore.IndexColumns: neither Put nor PutAll fills it", table)
			continue
		}
		rows := func(suffix string) []string {
			return queryStrings(t, s, fmt.Sprintf(`SELECT substr(r.id, 1, length(r.id) - %d) || '|' || x.type || '|' || x.patient_key || '|' || %s
				FROM %s x JOIN resource r ON r.rid = x.rid WHERE r.id LIKE '%%%s'`,
				len(suffix), "ifnull("+strings.Join(indexColumns[table], ", 'NULL') || '|' || ifnull(")+", 'NULL')", table, suffix))
		}
		a, b := rows("-put"), rows("-all")
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("%s: Put stored %d rows, PutAll %d, or different ones", table, len(a), len(b))
		}
		if (table == "idx_token" || table == "idx_composite") && len(a) == 0 {
			t.Error("no token rows at all: the comparison proves nothing")
		}
	}
}

// renamed copies ws with suffix added to every id.
func renamed(ws []dsn.Write, suffix string) []dsn.Write {
	out := append([]dsn.Write(nil), ws...)
	for i := range out {
		out[i].ID += suffix
	}
	return out
}

func queryStrings(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rows, err := s.rdb.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// The writer's page cache is writerCacheKiB (the server's RSS, issue 2). A
// PutAll of bulkCacheMinBatch versions or more that is not a bulk import's (a
// large transaction Bundle over HTTP) keeps it; a bulk import's write
// (repo.Import marks its context, dsn.WithBulkImport) into a store smaller
// than bulkCacheKiB raises it to bulkSmallCacheKiB, the cache imports were
// measured with.
func TestWriterCacheSizes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cacheSize := func() int64 {
		t.Helper()
		var kib int64
		err := s.Write(ctx, func(dsn.Tx) error {
			return s.wconn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&kib)
		})
		if err != nil {
			t.Fatal(err)
		}
		return kib
	}
	if writerCacheKiB > 32<<10 {
		t.Errorf("writer cache %d KiB: each KiB costs ~1.7 KiB of the server's RSS (docs/benchmarks.md, session 7)", writerCacheKiB)
	}
	if got := cacheSize(); got != -writerCacheKiB {
		t.Fatalf("writer cache_size %d at open, want %d", got, -writerCacheKiB)
	}

	ws := storetest.SynthWrites(t, 10)
	if len(ws) < bulkCacheMinBatch {
		t.Fatalf("%d writes: the PutAll must have at least %d", len(ws), bulkCacheMinBatch)
	}
	err = s.Write(ctx, func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(ws) })
	if err != nil {
		t.Fatal(err)
	}
	if got := cacheSize(); got != -writerCacheKiB {
		t.Errorf("writer cache_size %d after a PutAll of %d that is no import, want %d", got, len(ws), -writerCacheKiB)
	}

	g := synth.New(synth.Options{Seed: 2, Patients: 10})
	var objs []fhir.Object
	for i := range 10 {
		objs = append(objs, g.Person(i).Resources...)
	}
	if len(objs) < bulkCacheMinBatch {
		t.Fatalf("%d objects: the import must write at least %d", len(objs), bulkCacheMinBatch)
	}
	_, errs := repo.New(repo.Options{Store: s}).Import(ctx, objs)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := cacheSize(); got != -bulkSmallCacheKiB {
		t.Errorf("writer cache_size %d after an import of %d, want %d", got, len(objs), -bulkSmallCacheKiB)
	}
}

// insertIndexMany binds an empty text value as NULL and stores the empty string
// (sharedInsertSQL): that holds only if textColumns names exactly the
// index tables' TEXT columns, all NOT NULL.
func TestTextColumnsMatchSchema(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for table := range indexColumns {
		cols := indexInsertCols(table)
		text := textColumns(table, cols)
		for i, c := range cols {
			got := queryStrings(t, s, fmt.Sprintf(`SELECT type || ' ' || "notnull" FROM pragma_table_info('%s') WHERE name = '%s'`, table, c))
			isText := len(got) == 1 && got[0] == "TEXT 1"
			if len(got) != 1 || isText != text[i] || (strings.HasPrefix(got[0], "TEXT") && !isText) {
				t.Errorf("%s.%s: schema %v, textColumns %v", table, c, got, text[i])
			}
		}
	}
}
