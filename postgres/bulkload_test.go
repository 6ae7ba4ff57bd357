package postgres

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/storetest"
)

// schemaIndexes lists "name: definition" of every index of the store's schema.
func schemaIndexes(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.wconns[0].Query(context.Background(), `SELECT indexname || ': ' || indexdef
		FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func deferredCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.wconns[0].QueryRow(context.Background(), "SELECT count(*) FROM deferred_index").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// openAt opens a second store on the schema of u, closed at the end.
func openAt(t *testing.T, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A load drops the non-unique indexes of the resource and index tables
// (keys and UNIQUE constraints stay), the store answers reads and searches
// the same meanwhile, and its end builds exactly the indexes there were.
func TestLoadDefersIndexes(t *testing.T) {
	s := openAt(t, freshSchema(t))
	ctx := context.Background()
	before := schemaIndexes(t, s)
	l, err := s.beginLoad(ctx, loadMinResources)
	if err != nil || l == nil {
		t.Fatalf("beginLoad on an empty store: %v, %v; want a load", l, err)
	}
	during := schemaIndexes(t, s)
	// resource: pkey, (type, id); resource_version: pkey, (type, id, version); 4 removed…
	if dropped := len(before) - len(during); dropped < 2*len(indexTableNames())+3 || dropped != deferredCount(t, s) {
		t.Fatalf("%d indexes dropped, %d recorded:\n%v", dropped, deferredCount(t, s), during)
	}
	for _, keep := range []string{"resource_pkey", "resource_type_id_key", "resource_version_pkey", "resource_version_type_id_version_key"} {
		if !hasIndex(during, keep) {
			t.Fatalf("%s dropped during the load", keep)
		}
	}
	ws := storetest.SynthWrites(t, 5)
	if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(ws) }); err != nil {
		t.Fatal(err)
	}
	found := patientsByFamily(t, s, ws)
	if err := l.end(ctx); err != nil {
		t.Fatal(err)
	}
	if after := schemaIndexes(t, s); !reflect.DeepEqual(after, before) || deferredCount(t, s) != 0 {
		t.Fatalf("indexes after the load:\n%v\nbefore:\n%v", after, before)
	}
	if again := patientsByFamily(t, s, ws); again != found || found == 0 {
		t.Fatalf("search by family: %d during the load, %d after", found, again)
	}
}

func hasIndex(list []string, name string) bool {
	for _, ix := range list {
		if len(ix) > len(name) && ix[:len(name)+1] == name+":" {
			return true
		}
	}
	return false
}

// patientsByFamily counts the Patients of ws found by their first family
// index row (a search that uses idx_string's deferred index when it exists).
func patientsByFamily(t *testing.T, s *Store, ws []dsn.Write) int {
	t.Helper()
	n := 0
	for _, w := range ws {
		if w.Type != "Patient" {
			continue
		}
		for _, st := range w.Index.Strings {
			if st.Param != "family" {
				continue
			}
			r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Patient", Total: true, Clauses: []dsn.Clause{{
				Param: "family", Type: dsn.ParamString, Modifier: "exact", Values: []dsn.Value{{Text: st.Exact}}}}})
			if err != nil {
				t.Fatal(err)
			}
			n += r.Total
			break
		}
	}
	return n
}

// A loader that dies before its end leaves the indexes to the next Open.
func TestLoadLeftoversBuiltAtOpen(t *testing.T) {
	u := freshSchema(t)
	s := openAt(t, u)
	ctx := context.Background()
	before := schemaIndexes(t, s)
	l, err := s.beginLoad(ctx, loadMinResources)
	if err != nil || l == nil {
		t.Fatalf("beginLoad: %v, %v", l, err)
	}
	// another process opening meanwhile leaves them: the load is running
	if other := openAt(t, u); deferredCount(t, other) == 0 {
		t.Fatal("an Open during a load built its indexes")
	}
	l.conn.Close(ctx) // the loader dies: its session's lock goes with it
	if after := schemaIndexes(t, openAt(t, u)); !reflect.DeepEqual(after, before) {
		t.Fatalf("indexes after reopening:\n%v\nbefore:\n%v", after, before)
	}
}

// A small import, a store already large for the import, a second load while
// one runs and a reader holding a table all keep the incremental path.
func TestLoadKeepsIncrementalPath(t *testing.T) {
	if deferIndexes(loadMinResources-1, false) || deferIndexes(loadMinResources, true) || !deferIndexes(loadMinResources, false) {
		t.Fatal("deferIndexes thresholds")
	}
	s := openAt(t, freshSchema(t))
	ctx := context.Background()
	before := schemaIndexes(t, s)
	if l, err := s.beginLoad(ctx, loadMinResources-1); l != nil || err != nil {
		t.Fatalf("a small import deferred the indexes (%v)", err)
	}
	// the store holds 2 resources: an import of 3 is not large relative to it
	if err := s.Write(ctx, func(tx dsn.Tx) error {
		return tx.(dsn.BulkTx).PutAll(storetest.SynthWrites(t, 1)[:2])
	}); err != nil {
		t.Fatal(err)
	}
	var holds bool
	if err := s.wconns[0].QueryRow(ctx, sqlStoreHolds, 3/loadRatio).Scan(&holds); err != nil || !holds {
		t.Fatalf("sqlStoreHolds: %v, %v", holds, err)
	}

	l, err := s.beginLoad(ctx, loadMinResources)
	if err != nil || l == nil {
		t.Fatalf("beginLoad: %v, %v", l, err)
	}
	if second, err := s.beginLoad(ctx, loadMinResources); second != nil || err != nil {
		t.Fatalf("a second load began while one runs (%v)", err)
	}
	if err := l.end(ctx); err != nil {
		t.Fatal(err)
	}

	reader, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close(ctx)
	rtx, err := reader.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rtx.Exec(ctx, "SELECT count(*) FROM idx_token"); err != nil {
		t.Fatal(err)
	}
	if l, err := s.beginLoad(ctx, loadMinResources); l != nil || err != nil {
		t.Fatalf("a load dropped indexes under an open reader (%v)", err)
	}
	rtx.Rollback(ctx)
	if after := schemaIndexes(t, s); !reflect.DeepEqual(after, before) || deferredCount(t, s) != 0 {
		t.Fatalf("indexes:\n%v\nbefore:\n%v", after, before)
	}
}
