package sqlite

import (
	"context"
	"encoding/json"

	"dsn"
)

var _ dsn.CurrentReader = (*Store)(nil)

// sqlReadCurrentMany reads the current versions of a JSON array of [type, id]
// pairs: CROSS JOIN keeps the pairs as the outer loop, so each is one probe
// of the UNIQUE (type, id) index of resource, then one of resource_version's
// primary key.
const sqlReadCurrentMany = `SELECT ` + versionCols + ` FROM json_each(?) AS k
	CROSS JOIN resource r ON r.type = json_extract(k.value, '$[0]') AND r.id = json_extract(k.value, '$[1]')
	CROSS JOIN resource_version v ON v.seq = r.seq`

// ReadCurrent returns the current version of each key that exists,
// tombstones included, in one query (dsn.CurrentReader).
func (s *Store) ReadCurrent(ctx context.Context, keys []dsn.ResourceKey) ([]dsn.Resource, error) {
	const op = "sqlite.ReadCurrent"
	if s.shut.Load() {
		return nil, errClosed(op)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	pairs := make([][2]string, len(keys))
	for i, k := range keys {
		pairs[i] = [2]string{k.Type, k.ID}
	}
	arg, _ := json.Marshal(pairs)
	rows, err := s.rdb.QueryContext(ctx, sqlReadCurrentMany, string(arg))
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	defer rows.Close()
	out := make([]dsn.Resource, 0, len(keys))
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return out, nil
}
