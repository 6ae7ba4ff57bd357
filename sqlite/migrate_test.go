package sqlite

import (
	"context"
	"testing"
)

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
