package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"dsn"
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
	r, err := scanResource(s.rstmt.vread.QueryRowContext(ctx, typ, id, version))
	if errors.Is(err, sql.ErrNoRows) {
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

func readCurrent(ctx context.Context, stmt *sql.Stmt, op, typ, id string) (dsn.Resource, error) {
	r, err := scanResource(stmt.QueryRowContext(ctx, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	var lu int64
	var deleted int
	if err := row.Scan(&r.Type, &r.ID, &r.VersionID, &lu, &deleted, &r.Method, &r.Body); err != nil {
		return dsn.Resource{}, err
	}
	r.LastUpdated = fromMicros(lu)
	r.Deleted = deleted != 0
	if r.Deleted {
		r.Body = nil
	}
	return r, nil
}

// micros stores an instant as Unix microseconds, the precision of
// dsn.Resource.LastUpdated.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

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

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
