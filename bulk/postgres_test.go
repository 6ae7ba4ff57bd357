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
