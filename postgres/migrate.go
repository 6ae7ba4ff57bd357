package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"

	"dsn/internal/sqlstore"
)

// The migrations are numbered like SQLite's (0001_init.sql in both).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies the pending migrations in one transaction holding a
// transaction-level advisory lock keyed by the schema: two processes starting
// at once serialise, and the second finds the migrations recorded.
func migrate(ctx context.Context, c *pgx.Conn) error {
	ms, err := sqlstore.Migrations(migrationFiles)
	if err != nil {
		return err
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, sqlMigrateLock); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlMigrationsTable); err != nil {
		return err
	}
	// Each area of the code owns its migration numbers (0002 search, 0003 MPI…)
	// and branches merge in any order: every number not applied yet is
	// applied, not only those above the highest.
	rows, err := tx.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return err
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return err
	}
	applied := map[int]bool{}
	for _, v := range versions {
		applied[int(v)] = true
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		// No arguments: pgx uses the simple protocol, which runs a whole script.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return tx.Commit(ctx)
}

const (
	sqlMigrateLock     = `SELECT pg_advisory_xact_lock(hashtext('dsn.migrate.' || current_schema()))`
	sqlMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`
)
