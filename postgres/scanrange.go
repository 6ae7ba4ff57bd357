package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"dsn"
)

var _ dsn.RangeReader = (*Store)(nil)

// The key-range reads of a bulk export (dsn.RangeReader): both use the
// (type, rid) index of resource.
const (
	sqlKeyRange  = `SELECT coalesce(min(rid), 0), coalesce(max(rid), 0), count(*) FROM resource WHERE type = $1`
	sqlScanRange = `SELECT ` + versionCols + ` FROM resource r JOIN resource_version v ON v.seq = r.seq
		WHERE r.type = $1 AND r.rid >= $2 AND r.rid < $3 AND NOT r.deleted ORDER BY r.rid`
)

// KeyRange returns the smallest and largest rid of typ's resources and how
// many there are (dsn.RangeReader).
func (s *Store) KeyRange(ctx context.Context, typ string) (lo, hi int64, n int, err error) {
	err = s.withConn(ctx, "postgres.KeyRange", func(c *pgx.Conn) error {
		return c.QueryRow(ctx, sqlKeyRange, typ).Scan(&lo, &hi, &n)
	})
	return lo, hi, n, err
}

// ScanRange calls fn with each current, non-deleted resource of typ with
// lo ≤ rid < hi, in rid order, from one query (dsn.RangeReader).
func (s *Store) ScanRange(ctx context.Context, typ string, lo, hi int64, fn func(dsn.Resource) error) error {
	var fnErr error
	err := s.withConn(ctx, "postgres.ScanRange", func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sqlScanRange, typ, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanResource(rows)
			if err != nil {
				return err
			}
			if fnErr = fn(r); fnErr != nil {
				return nil
			}
		}
		return rows.Err()
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}
