package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"dsn/internal/sqlstore"
)

// A store made before migration 0002 (only 0001 applied, one quantity row)
// gets the new tables on Open, and its quantity rows cover [value, value].
func TestMigration0002OnExistingStore(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlstore.Migrations(migrationFiles)
	if err != nil || ms[0].Version != 1 {
		t.Fatal(ms, err)
	}
	for _, q := range []string{ms[0].SQL,
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 'then')`,
		`INSERT INTO idx_quantity (type, param, value, system, code, unit, rid, patient_key) VALUES ('Observation', 'value-quantity', 72, '', '', '', 1, '')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var lo, hi float64
	if err := s.rdb.QueryRow("SELECT low, high FROM idx_quantity").Scan(&lo, &hi); err != nil || lo != 72 || hi != 72 {
		t.Fatalf("quantity span after 0002: [%v, %v] %v", lo, hi, err)
	}
	for _, table := range []string{"idx_composite", "idx_identifier_type", "idx_ref_identifier"} {
		var n int
		if err := s.rdb.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("%s after 0002: %v", table, err)
		}
	}
}

// A migration numbered below one already applied (branches of different
// areas merged in another order) is still applied at the next open.
func TestMigrationBelowHighestApplied(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	// pretend 0003 came from a later merge: unapply it, record a higher one
	for _, q := range []string{"DROP TABLE job", "DELETE FROM schema_migrations WHERE version = 3",
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 'x')"} {
		if _, err := s.wconn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Jobs(ctx, "k", 0, 1); err != nil {
		t.Fatalf("migration 0003 not applied under 0099: %v", err)
	}
}
