package postgres

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
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
	r, err := scanResource(c.QueryRow(ctx, sqlVRead, typ, id, version))
	if errors.Is(err, pgx.ErrNoRows) {
		return dsn.Resource{}, dsn.Errorf(op, dsn.KindNotFound, "la version %d de %s/%s n'existe pas", version, typ, id)
	}
	if err != nil {
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if r.Deleted {
		return r, dsn.Errorf(op, dsn.KindGone, "la version %d de %s/%s est une suppression", version, typ, id)
	}
	return r, nil
}

func readCurrent(ctx context.Context, c *pgx.Conn, op, typ, id string) (dsn.Resource, error) {
	r, err := scanResource(c.QueryRow(ctx, sqlReadCurrent, typ, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return dsn.Resource{}, dsn.Errorf(op, dsn.KindNotFound, "%s/%s n'existe pas", typ, id)
	}
	if err != nil {
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if r.Deleted {
		return r, dsn.Errorf(op, dsn.KindGone, "%s/%s a été supprimé", typ, id)
	}
	return r, nil
}

type scanner interface{ Scan(dest ...any) error }

// scanResource reads the columns of versionCols.
func scanResource(row scanner) (dsn.Resource, error) {
	var r dsn.Resource
	if err := row.Scan(&r.Type, &r.ID, &r.VersionID, &r.LastUpdated, &r.Deleted, &r.Method, &r.Body); err != nil {
		return dsn.Resource{}, err
	}
	r.LastUpdated = r.LastUpdated.UTC()
	if r.Deleted {
		r.Body = nil
	}
	return r, nil
}

// rangeLow and rangeHigh store a date range bound; a zero time is an open end.
func rangeLow(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixMicro()
}

func rangeHigh(t time.Time) int64 {
	if t.IsZero() {
		return math.MaxInt64
	}
	return t.UnixMicro()
}
