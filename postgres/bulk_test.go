package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/internal/sqlstore"
	"dsn/storetest"
)

// PutAll (COPY) stores exactly the index rows Put (dsn_put) stores, in every
// idx_ table of the schema (tables a later migration adds included): the
// synthetic population's resources are written once each way, under two id
// suffixes.
func TestPutAllSameRowsAsPut(t *testing.T) {
	s := openTest(t).(*Store)
	ctx := context.Background()
	ws := storetest.SynthWrites(t, 3)
	one, all := renamed(ws, "-put"), renamed(ws, "-all")
	err := s.Write(ctx, func(tx dsn.Tx) error {
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
	tables := queryStrings(t, s, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name LIKE 'idx\_%'`)
	if len(tables) < len(sqlstore.IndexColumns) {
		t.Fatalf("only %d index tables: %v", len(tables), tables)
	}
	for _, table := range tables {
		cols, ok := sqlstore.IndexColumns[table]
		if !ok {
			t.Errorf("table %s is not in sqlstore.IndexColumns: PutAll does not fill it", table)
			continue
		}
		rows := func(suffix string) []string {
			return queryStrings(t, s, fmt.Sprintf(`SELECT concat_ws('|', left(r.id, -%d), x.type, x.patient_key, %s)
				FROM %s x JOIN resource r ON r.rid = x.rid WHERE r.id LIKE '%%%s'`,
				len(suffix), strings.Join(cols, ", "), table, suffix))
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
	c, err := s.reads.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.reads.release(c)
	rows, err := c.Query(context.Background(), q)
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

// The binary COPY of the bulk path (bulkcopy.go) encodes each column by the
// kind columnKind gives it: every column it COPYs into must have that type
// in the schema, or values would be sent in another type's format.
func TestCopyKindsMatchSchema(t *testing.T) {
	s := openTest(t).(*Store)
	want := map[copyKind]string{copyText: "text", copyInt8: "bigint", copyFloat8: "double precision",
		copyBool: "boolean", copyTimestamptz: "timestamp with time zone", copyJSONB: "jsonb"}
	tables := map[string][]string{"resource": resourceCopyCols, "resource_version": versionCopyCols}
	for table, cols := range sqlstore.IndexColumns {
		tables[table] = append([]string{"rid", "type", "patient_key"}, cols...)
	}
	for table, cols := range tables {
		for _, col := range cols {
			got := queryStrings(t, s, fmt.Sprintf(`SELECT data_type::text FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = '%s' AND column_name = '%s'`, table, col))
			if len(got) != 1 || got[0] != want[columnKind(table, col)] {
				t.Errorf("%s.%s: schema %v, COPY sends %s", table, col, got, want[columnKind(table, col)])
			}
		}
	}
}

// A PutAll's COPYs go to the server in one round trip (bulkcopy.go,
// sendCopies). When a later one fails — here idx_token's, after the resource
// and version COPYs succeeded — nothing of the PutAll stays, the caller gets
// the error, and the writer connection goes on serving the next Writes.
func TestPutAllLateCopyFails(t *testing.T) {
	s := openTest(t).(*Store)
	ctx := context.Background()
	bad := dsn.Index{Tokens: []dsn.TokenKey{{Param: "code", System: "urn:s", Code: "nul\x00byte"}}}
	write := func(typ, id string, ix dsn.Index) dsn.Write {
		return dsn.Write{Index: ix, Resource: dsn.Resource{Type: typ, ID: id, VersionID: 1, LastUpdated: time.Now(),
			Method: "POST", Body: []byte(`{"resourceType":"` + typ + `","id":"` + id + `"}`)}}
	}
	ws := []dsn.Write{write("Patient", "late-a", dsn.Index{}), write("Observation", "late-b", bad)}
	err := s.Write(ctx, func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(ws) })
	if err == nil || !strings.Contains(err.Error(), "idx_token") {
		t.Fatalf("PutAll with a NUL in an index row = %v, want idx_token's COPY error", err)
	}
	for _, w := range ws {
		if _, err := s.Read(ctx, w.Type, w.ID); dsn.KindOf(err) != dsn.KindNotFound {
			t.Fatalf("%s/%s after the failed PutAll: %v, want not found", w.Type, w.ID, err)
		}
	}
	for i, c := range s.wconns {
		if c != nil && c.IsClosed() {
			t.Fatalf("writer %d's connection was closed by a server error", i)
		}
	}
	good := renamed(ws[:1], "-then")
	if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(good) }); err != nil {
		t.Fatalf("the next PutAll: %v", err)
	}
	if _, err := s.Read(ctx, "Patient", "late-a-then"); err != nil {
		t.Fatalf("the next PutAll's resource: %v", err)
	}
}
