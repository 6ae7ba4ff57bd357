package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"dsn/internal/sqlstore"
)

// The migrations are numbered like PostgreSQL's (0001_init.sql in both), so one
// number means the same schema idea on both databases.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies the pending migrations in one BEGIN IMMEDIATE transaction: the
// write lock is taken before schema_migrations is read, so two processes starting
// at once apply each migration exactly once (the second waits, then sees them done).
func migrate(ctx context.Context, c *sql.Conn) (err error) {
	ms, err := sqlstore.Migrations(migrationFiles)
	if err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() {
		if err != nil {
			c.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	const ddl = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`
	if _, err := c.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// Each area of the code owns its migration numbers (0002 search, 0003 MPI…)
	// and branches merge in any order: every number not applied yet is
	// applied, not only those above the highest.
	applied := map[int]bool{}
	rows, err := c.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if _, err := c.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		const ins = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
		if _, err := c.ExecContext(ctx, ins, m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
