package provincial

import (
	"context"
	"testing"

	"dsn"
	"dsn/internal/pgtest"
	"dsn/postgres"
)

// openPostgres opens a store in a fresh schema of the test server, dropped
// at the end (internal/pgtest: skipped without a server, fatal under CI=true).
func openPostgres(t *testing.T) dsn.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.Schema(t, "dsn_mpi"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// The provincial record on PostgreSQL: linking, merge and unmerge behave
// as on SQLite (jsonb hands bodies back re-serialised).
func TestOnPostgres(t *testing.T) {
	t.Run("LinkOnCreate", func(t *testing.T) { linkOnCreate(t, wire(t, openPostgres(t))) })
	t.Run("MergeUnmerge", func(t *testing.T) { mergeUnmerge(t, wire(t, openPostgres(t))) })
}
