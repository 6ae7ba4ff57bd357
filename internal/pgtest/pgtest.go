// Package pgtest gives tests an empty PostgreSQL schema of their own, so that
// packages and tests run in parallel against one test server.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URL is the test server: DSN_TEST_POSTGRES, default the local "test" database.
func URL() string {
	if u := os.Getenv("DSN_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Schema creates an empty schema named prefix_<random>, dropped when tb ends,
// and returns the URL that selects it (search_path). Without a server the test
// is skipped, or fails under CI=true (CONTRIBUTING: required services fail, not skip).
func Schema(tb testing.TB, prefix string) string {
	tb.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, URL())
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		tb.Skipf("PostgreSQL unreachable (%v); set DSN_TEST_POSTGRES", err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	schema := prefix + "_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { drop(tb, schema) })
	u, err := url.Parse(URL())
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func drop(tb testing.TB, schema string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, URL())
	if err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}
