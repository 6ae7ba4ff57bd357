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

// A migration not recorded is applied even when a higher number is (areas
// number theirs apart, so 0002 may land after 0005): here 0001 and 0005 are
// recorded, 0005 is forgotten and its tables dropped, and opening again
// applies it again.
func TestMigrationBelowHighestIsApplied(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.wconn.ExecContext(context.Background(), `DROP TABLE export_part; DROP TABLE export_job;
		DELETE FROM schema_migrations WHERE version = 5; INSERT INTO schema_migrations VALUES (9999, 'later', 'x')`)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ExportJobList(context.Background()); err != nil {
		t.Fatalf("migration 0005 was not applied again: %v", err)
	}
}
