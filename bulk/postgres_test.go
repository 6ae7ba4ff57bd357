package bulk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/postgres"
)

// openPostgres opens a store in a fresh schema of the test server
// (DSN_TEST_POSTGRES, default the local "test" database), dropped at the end;
// the test is skipped when no server answers.
func openPostgres(t testing.TB) dsn.Store {
	t.Helper()
	base := os.Getenv("DSN_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	schema := "dsn_bulk_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), base); err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
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
