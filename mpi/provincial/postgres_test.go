package provincial

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
// (DSN_TEST_POSTGRES, default the local "test" database), dropped at the
// end. Without a server the test is skipped, and fails under CI=true.
func openPostgres(t *testing.T) dsn.Store {
	t.Helper()
	base := os.Getenv("DSN_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	schema := "dsn_mpi_" + hex.EncodeToString(b[:])
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

// The provincial record on PostgreSQL: linking, merge and unmerge behave
// as on SQLite (jsonb hands bodies back re-serialised).
func TestOnPostgres(t *testing.T) {
	t.Run("LinkOnCreate", func(t *testing.T) { linkOnCreate(t, wire(t, openPostgres(t))) })
	t.Run("MergeUnmerge", func(t *testing.T) { mergeUnmerge(t, wire(t, openPostgres(t))) })
}
