package sqlite

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"dsn"
	"dsn/storetest"
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
	ws := storetest.SynthWrites(t, 3)
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

// The writer's page cache is writerCacheKiB (the server's RSS, issue 2); a
// bulk write into a store smaller than bulkCacheKiB raises it to
// bulkSmallCacheKiB, the cache imports were measured with.
func TestWriterCacheSizes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var before, after int64
	err = s.Write(ctx, func(dtx dsn.Tx) error {
		if err := s.wconn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&before); err != nil {
			return err
		}
		if err := dtx.(*tx).s.bulkCache(ctx); err != nil {
			return err
		}
		return s.wconn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&after)
	})
	if err != nil {
		t.Fatal(err)
	}
	if writerCacheKiB > 32<<10 {
		t.Errorf("writer cache %d KiB: each KiB costs ~1.7 KiB of the server's RSS (docs/benchmarks.md, session 7)", writerCacheKiB)
	}
	if before != -writerCacheKiB || after != -bulkSmallCacheKiB {
		t.Errorf("writer cache_size %d, after a bulk write %d; want %d, %d", before, after, -writerCacheKiB, -bulkSmallCacheKiB)
	}
}
