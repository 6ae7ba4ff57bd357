package bulk

import (
	"context"
	"testing"

	"dsn"
	"dsn/internal/pgtest"
	"dsn/postgres"
)

// openPostgres opens a store in a fresh schema of the test server, dropped
// at the end (internal/pgtest: skipped without a server, fatal under CI=true).
func openPostgres(t testing.TB) dsn.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.Schema(t, "dsn_bulk"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// PostgreSQL hands bodies back re-serialised (jsonb): re-importing must still
// see them unchanged.
func TestPostgresReimportIsNoop(t *testing.T) {
	dir := copyFiles(t, "Patient.000.ndjson", "Condition.000.ndjson")
	st := openPostgres(t)
	first := importDir(t, st, ImportOptions{}, dir)
	again := importDir(t, st, ImportOptions{}, dir)
	if first.Created != 568 || again.Unchanged != 568 || versions(t, st) != 568 {
		t.Fatalf("first %+v, again %+v, %d versions", first, again, versions(t, st))
	}
}

// PostgreSQL runs two batches of one import on two writer connections at
// once: a resource named in both is still written in input order.
func TestPostgresRepeatedIDAcrossBatches(t *testing.T) {
	repeatedAcrossBatches(t, openPostgres(t))
}

func TestPostgresImportRepeatedIDAcrossFiles(t *testing.T) {
	repeatedAcrossFiles(t, openPostgres(t))
}

// scaledLoader tells the store an import is a million times larger than it
// is, so that a test-sized import defers the indexes (dsn.BulkLoader).
type scaledLoader struct{ dsn.BulkLoader }

func (l scaledLoader) BeginLoad(ctx context.Context, n int) (func(context.Context) error, error) {
	return l.BulkLoader.BeginLoad(ctx, max(n, 1)*1_000_000)
}

// An import that builds the indexes after its load (decision 0029) stores the
// same resources, leaves the same search answers, and a re-import finds them
// all unchanged; the export of the store equals a store loaded row by row.
func TestPostgresImportDeferredIndexes(t *testing.T) {
	dir := copyFiles(t, "Patient.000.ndjson", "Condition.000.ndjson")
	row, deferred := openPostgres(t), openPostgres(t)
	importDir(t, row, ImportOptions{}, dir)
	first := importDir(t, deferred, ImportOptions{Loader: scaledLoader{deferred.(dsn.BulkLoader)}}, dir)
	again := importDir(t, deferred, ImportOptions{Loader: scaledLoader{deferred.(dsn.BulkLoader)}}, dir)
	if first.Created != 568 || again.Unchanged != 568 || versions(t, deferred) != 568 {
		t.Fatalf("first %+v, again %+v, %d versions", first, again, versions(t, deferred))
	}
	types := []string{"Patient", "Condition"}
	sameSnapshots(t, snapshot(t, deferred, types), snapshot(t, row, types))
	active := func(st dsn.Store) int {
		r, err := st.Search(context.Background(), dsn.SearchQuery{Type: "Condition", Total: true, Clauses: []dsn.Clause{{
			Param: "clinical-status", Type: dsn.ParamToken, Values: []dsn.Value{{Code: "active", AnySystem: true}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	if a, b := active(row), active(deferred); a != b || a == 0 {
		t.Fatalf("active Conditions: %d loaded row by row, %d with deferred indexes", a, b)
	}
}
