package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"dsn/internal/sqlstore"
)

// A store made before migration 0002 (only 0001 applied, one quantity row)
// gets the new tables on Open, and its quantity rows cover [value, value].
func TestMigration0002OnExistingStore(t *testing.T) {
	u := freshSchema(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlstore.Migrations(migrationFiles)
	if err != nil || ms[0].Version != 1 {
		t.Fatal(ms, err)
	}
	for _, q := range []string{ms[0].SQL, sqlMigrationsTable,
		`INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.sql')`,
		`INSERT INTO idx_quantity (rid, type, param, patient_key, value, system, code, unit) VALUES (1, 'Observation', 'value-quantity', '', 72, '', '', '')`} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	c.Close(ctx)
	s, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var lo, hi float64
	if err := s.wconns[0].QueryRow(ctx, "SELECT low, high FROM idx_quantity").Scan(&lo, &hi); err != nil || lo != 72 || hi != 72 {
		t.Fatalf("quantity span after 0002: [%v, %v] %v", lo, hi, err)
	}
	for _, table := range []string{"idx_composite", "idx_identifier_type", "idx_ref_identifier"} {
		var n int
		if err := s.wconns[0].QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("%s after 0002: %v", table, err)
		}
	}
}
