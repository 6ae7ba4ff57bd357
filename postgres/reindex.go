package postgres

import (
	"context"

	"dsn"
	"dsn/internal/sqlstore"
)

var _ dsn.Reindexer = (*Store)(nil)

const (
	sqlReindexPage = `SELECT r.rid, r.version, r.type, r.id, v.body FROM resource r
		JOIN resource_version v ON v.seq = r.seq
		WHERE r.rid > $1 AND NOT r.deleted AND ($2 = '' OR r.type = $2) ORDER BY r.rid LIMIT $3`
	sqlReindex = `SELECT dsn_reindex($1, $2, $3, $4::jsonb)`
)

// Reindex rebuilds the index rows of stored resources (dsn.Reindexer), one
// group-committed write per batch, through dsn_index like dsn_put.
func (s *Store) Reindex(ctx context.Context, typ string, extract func(dsn.Resource) (dsn.Index, string, error), progress func(int)) (int, error) {
	read := func(after int64, n int) ([]sqlstore.ReindexItem, error) {
		c, err := s.reads.acquire(ctx)
		if err != nil {
			return nil, err
		}
		defer s.reads.release(c)
		rows, err := c.Query(ctx, sqlReindexPage, after, typ, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var items []sqlstore.ReindexItem
		for rows.Next() {
			var it sqlstore.ReindexItem
			r := &it.Resource
			if err := rows.Scan(&it.RID, &it.Version, &r.Type, &r.ID, &r.Body); err != nil {
				return nil, err
			}
			r.VersionID = it.Version
			items = append(items, it)
		}
		return items, rows.Err()
	}
	write := func(items []sqlstore.ReindexItem) error {
		return s.Write(ctx, func(t dsn.Tx) error {
			tx := t.(*tx)
			for _, it := range items {
				if err := tx.reindex(it); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return sqlstore.Reindex(ctx, read, write, extract, progress)
}

// reindex replaces the rows of one resource if its current version is still
// the one extracted (dsn_reindex checks it under a row lock).
func (t *tx) reindex(it sqlstore.ReindexItem) error {
	const op = "postgres.Reindex"
	if err := t.Check(op); err != nil {
		return err
	}
	ix, err := indexJSON(&it.Index)
	if err != nil {
		return t.fail(op, err)
	}
	if err := t.flush(); err != nil {
		return t.fail(op, err)
	}
	t.Wrote = true
	t.wrote()
	var ok bool
	if err := t.conn.QueryRow(t.ctx, sqlReindex, it.RID, it.Version, it.PatientKey, ix).Scan(&ok); err != nil {
		return t.fail(op, err)
	}
	return nil
}
