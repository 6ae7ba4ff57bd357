package main

import (
	"context"
	"strings"

	"dsn"
	"dsn/audit"
	"dsn/postgres"
	"dsn/sqlite"
)

// openStore opens the configured store and applies pending migrations:
// PostgreSQL when --db is a postgres:// URL, else SQLite under --data (the
// directory is created if needed).
func openStore(ctx context.Context, c StoreConfig) (dsn.Store, error) {
	if c.DBURL != "" {
		if !strings.HasPrefix(c.DBURL, "postgres://") && !strings.HasPrefix(c.DBURL, "postgresql://") {
			return nil, cliFail("openStore", dsn.KindInvalid, "store.db", c.Describe())
		}
		// every process linking the journal the same way, one started after
		// a crash moves the crashed one's spooled entries at once
		return postgres.OpenWith(ctx, c.DBURL, postgres.Options{SpoolDir: c.AuditSpool, AuditLink: audit.Link})
	}
	return sqlite.Open(ctx, c.DataDir)
}
