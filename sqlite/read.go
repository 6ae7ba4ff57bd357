package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"dsn"
	"dsn/internal/sqlstore"
)

// Read returns the current version of typ/id (contract: dsn.Store.Read).
func (s *Store) Read(ctx context.Context, typ, id string) (dsn.Resource, error) {
	if s.shut.Load() {
		return dsn.Resource{}, errClosed("sqlite.Read")
	}
	return readCurrent(ctx, s.rstmt.readCurrent, "sqlite.Read", typ, id)
}

// VRead returns one version of typ/id (contract: dsn.Store.VRead).
func (s *Store) VRead(ctx context.Context, typ, id string, version int64) (dsn.Resource, error) {
	const op = "sqlite.VRead"
	if s.shut.Load() {
		return dsn.Resource{}, errClosed(op)
	}
	r, err := sqlstore.SQLite.ScanKeyed(s.rstmt.vread.QueryRowContext(ctx, typ, id, version), typ, id)
	return sqlstore.ReadResult(op, typ, id, version, r, err, errors.Is(err, sql.ErrNoRows))
}

func readCurrent(ctx context.Context, stmt *sql.Stmt, op, typ, id string) (dsn.Resource, error) {
	r, err := sqlstore.SQLite.ScanKeyed(stmt.QueryRowContext(ctx, typ, id), typ, id)
	return sqlstore.ReadResult(op, typ, id, 0, r, err, errors.Is(err, sql.ErrNoRows))
}

// scanResource reads the columns of sqlstore.VersionCols.
func scanResource(row sqlstore.Scanner) (dsn.Resource, error) {
	return sqlstore.SQLite.ScanResource(row)
}

// micros stores an instant as Unix microseconds, the precision of
// dsn.Resource.LastUpdated.
func micros(t time.Time) int64 { return sqlstore.Micros(t) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
