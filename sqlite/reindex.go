package sqlite

import (
	"context"
	"fmt"

	"dsn"
	"dsn/internal/sqlstore"
)

var _ dsn.Reindexer = (*Store)(nil)

const (
	sqlReindexPage = `SELECT r.rid, r.version, r.type, r.id, v.body FROM resource r
		JOIN resource_version v ON v.seq = r.seq
		WHERE r.rid > ? AND r.deleted = 0 AND (? = '' OR r.type = ?) ORDER BY r.rid LIMIT ?`
	sqlReindexCurrent = `SELECT version, deleted FROM resource WHERE rid = ?`
	sqlReindexKey     = `UPDATE resource SET patient_key = ? WHERE rid = ?`
	sqlReindexVersion = `UPDATE resource_version SET patient_key = ? WHERE seq = (SELECT seq FROM resource WHERE rid = ?)`
)

// Reindex rebuilds the index rows of stored resources (dsn.Reindexer), one
// group-committed write per batch, through the same insertIndex as Put.
func (s *Store) Reindex(ctx context.Context, typ string, extract func(dsn.Resource) (dsn.Index, string, error), progress func(int)) (int, error) {
	if s.shut.Load() {
		return 0, errClosed("sqlite.Reindex")
	}
	read := func(after int64, n int) ([]sqlstore.ReindexItem, error) {
		rows, err := s.rdb.QueryContext(ctx, sqlReindexPage, after, typ, typ, n)
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
// the one extracted (a newer version was indexed when written).
func (t *tx) reindex(it sqlstore.ReindexItem) error {
	const op = "sqlite.Reindex"
	if err := t.Check(op); err != nil {
		return err
	}
	ctx := context.Background()
	var version int64
	var deleted int
	if err := t.s.wconn.QueryRowContext(ctx, sqlReindexCurrent, it.RID).Scan(&version, &deleted); err != nil {
		return t.fail(op, err)
	}
	if version != it.Version || deleted != 0 {
		return nil
	}
	t.Wrote = true
	for _, q := range []string{sqlReindexKey, sqlReindexVersion} {
		if _, err := t.s.wconn.ExecContext(ctx, q, it.PatientKey, it.RID); err != nil {
			return t.fail(op, err)
		}
	}
	for _, c := range t.s.rstmts.clear {
		if err := c.exec(it.RID); err != nil {
			return t.fail(op, fmt.Errorf("clear index: %w", err))
		}
	}
	w := dsn.Write{Resource: it.Resource, PatientKey: it.PatientKey, Index: it.Index}
	if err := t.insertIndex(ctx, it.RID, w); err != nil {
		return t.fail(op, fmt.Errorf("insert index: %w", err))
	}
	return nil
}
