package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// Read returns the current version of typ/id (contract: dsn.Store.Read).
func (s *Store) Read(ctx context.Context, typ, id string) (dsn.Resource, error) {
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.Resource{}, dsn.Wrap("postgres.Read", dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	return readCurrent(ctx, c, "postgres.Read", typ, id)
}

// VRead returns one version of typ/id (contract: dsn.Store.VRead).
func (s *Store) VRead(ctx context.Context, typ, id string, version int64) (dsn.Resource, error) {
	const op = "postgres.VRead"
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	r, err := sqlstore.Postgres.ScanKeyed(c.QueryRow(ctx, sqlVRead, typ, id, version), typ, id)
	return sqlstore.ReadResult(op, typ, id, version, r, err, errors.Is(err, pgx.ErrNoRows))
}

func readCurrent(ctx context.Context, c *pgx.Conn, op, typ, id string) (dsn.Resource, error) {
	r, err := sqlstore.Postgres.ScanKeyed(c.QueryRow(ctx, sqlReadCurrent, typ, id), typ, id)
	return sqlstore.ReadResult(op, typ, id, 0, r, err, errors.Is(err, pgx.ErrNoRows))
}

// scanResource reads the columns of sqlstore.VersionCols.
func scanResource(row sqlstore.Scanner) (dsn.Resource, error) {
	return sqlstore.Postgres.ScanResource(row)
}
