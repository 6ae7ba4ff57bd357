package sqlite

import (
	"context"
	"testing"

	"dsn"
	"dsn/storetest"
)

// openTest gives each test one data directory, so reopening within a test
// finds the same database (storetest.Opener).
var openTest = storetest.PerTest(func(t *testing.T) string { return t.TempDir() },
	func(ctx context.Context, dir string) (dsn.Store, error) { return Open(ctx, dir) })

func TestStore(t *testing.T) { storetest.Run(t, openTest) }

// Two processes (here: two Opens) migrating the same directory at once both
// succeed and the migration is recorded once.
func TestConcurrentOpen(t *testing.T) {
	dir := t.TempDir()
	stores := storetest.OpenAtOnce(t, 4, func(ctx context.Context) (*Store, error) { return Open(ctx, dir) })
	var n int
	row := stores[0].rdb.QueryRow("SELECT count(*) FROM schema_migrations WHERE version = 1")
	if err := row.Scan(&n); err != nil || n != 1 {
		t.Fatalf("migration 1 recorded %d times (%v)", n, err)
	}
	// A write through one store is visible through another (shared database).
	w := dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: "x", VersionID: 1, Method: "POST", Body: []byte(`{}`)}}
	if err := stores[1].Write(context.Background(), func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[2].Read(context.Background(), "Patient", "x"); err != nil {
		t.Fatal(err)
	}
}
