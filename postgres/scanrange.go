package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"dsn"
)

var _ dsn.RangeReader = (*Store)(nil)

// The key-range reads of a bulk export (dsn.RangeReader): both use the
// (type, rid) index of resource. The extents of every type come from one
// query (one pass over the index) rather than one per R4 type (145 round
// trips, most for types the store does not hold). The scan names no column
// it knows already (type; deleted is false).
const (
	sqlKeyRanges   = `SELECT type, min(rid), max(rid), count(*) FROM resource GROUP BY type ORDER BY type`
	sqlKeyRangesOf = `SELECT type, min(rid), max(rid), count(*) FROM resource
		WHERE type = ANY($1::text[]) GROUP BY type ORDER BY type`
	sqlScanRange = `SELECT v.id, v.version, v.last_updated, v.method, v.body, v.patient_key
		FROM resource r JOIN resource_version v ON v.seq = r.seq
		WHERE r.type = $1 AND r.rid >= $2 AND r.rid < $3 AND NOT r.deleted ORDER BY r.rid`
)

// KeyRanges returns the smallest and largest rid of each type's resources
// and how many there are, for the types of types (all when empty) that have
// any, by type name (dsn.RangeReader).
func (s *Store) KeyRanges(ctx context.Context, types []string) ([]dsn.KeyRange, error) {
	var out []dsn.KeyRange
	err := s.withConn(ctx, "postgres.KeyRanges", func(c *pgx.Conn) error {
		var rows pgx.Rows
		var err error
		if len(types) == 0 {
			rows, err = c.Query(ctx, sqlKeyRanges)
		} else {
			rows, err = c.Query(ctx, sqlKeyRangesOf, types)
		}
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k dsn.KeyRange
			if err := rows.Scan(&k.Type, &k.Lo, &k.Hi, &k.N); err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

// ScanRange calls fn with each current, non-deleted resource of typ with
// lo ≤ rid < hi, in rid order, from one query (dsn.RangeReader). The body
// fn sees is pgx's read buffer (pgtype.DriverBytes), not a copy: a bulk
// export copies it once, into its output.
func (s *Store) ScanRange(ctx context.Context, typ string, lo, hi int64, fn func(dsn.Resource) error) error {
	var fnErr error
	err := s.withConn(ctx, "postgres.ScanRange", func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sqlScanRange, typ, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		r := dsn.Resource{Type: typ}
		var body pgtype.DriverBytes
		for rows.Next() {
			if err := rows.Scan(&r.ID, &r.VersionID, &r.LastUpdated, &r.Method, &body, &r.PatientKey); err != nil {
				return err
			}
			r.LastUpdated, r.Body = r.LastUpdated.UTC(), body
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
