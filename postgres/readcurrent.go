package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"dsn"
)

var _ dsn.CurrentReader = (*Store)(nil)

// sqlReadCurrentMany reads the current versions of the (type, id) pairs of
// two parallel arrays: one probe of the UNIQUE (type, id) index of resource
// per pair, then one of resource_version's primary key.
const sqlReadCurrentMany = `SELECT ` + versionCols + `
	FROM unnest($1::text[], $2::text[]) AS k(type, id)
	JOIN resource r ON r.type = k.type AND r.id = k.id
	JOIN resource_version v ON v.seq = r.seq`

// ReadCurrent returns the current version of each key that exists,
// tombstones included, in one query (dsn.CurrentReader).
func (s *Store) ReadCurrent(ctx context.Context, keys []dsn.ResourceKey) ([]dsn.Resource, error) {
	const op = "postgres.ReadCurrent"
	if len(keys) == 0 {
		return nil, nil
	}
	types, ids := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		types[i], ids[i] = k.Type, k.ID
	}
	out := make([]dsn.Resource, 0, len(keys))
	err := s.withConn(ctx, op, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sqlReadCurrentMany, types, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanResource(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
