package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"dsn"
	"dsn/internal/sqlstore"
)

// The durable job queue of migration 0003 (dsn.Job).
const (
	sqlAddJob    = `INSERT INTO job (kind, key, created) VALUES (?, ?, ?)`
	sqlDeleteJob = `DELETE FROM job WHERE seq = ?`
	sqlJobs      = `SELECT seq, kind, key, created FROM job WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?`
)

// AddJob queues j with the transaction's writes (dsn.Tx.AddJob).
func (t *tx) AddJob(j dsn.Job) error {
	const op = "sqlite.Tx.AddJob"
	if err := t.Check(op); err != nil {
		return err
	}
	t.Wrote = true
	if _, err := t.s.wstmt.addJob.ExecContext(context.Background(), j.Kind, j.Key, micros(j.Created)); err != nil {
		return t.fail(op, fmt.Errorf("insert job: %w", err))
	}
	return nil
}

// DeleteJobs removes done jobs (dsn.Tx.DeleteJobs).
func (t *tx) DeleteJobs(seqs []int64) error {
	const op = "sqlite.Tx.DeleteJobs"
	if err := t.Check(op); err != nil {
		return err
	}
	for _, s := range seqs {
		t.Wrote = true
		if _, err := t.s.wstmt.deleteJob.ExecContext(context.Background(), s); err != nil {
			return t.fail(op, fmt.Errorf("delete job: %w", err))
		}
	}
	return nil
}

// Jobs lists queued jobs of kind after a Seq, oldest first (dsn.Store.Jobs).
func (s *Store) Jobs(ctx context.Context, kind string, after int64, limit int) ([]dsn.Job, error) {
	const op = "sqlite.Jobs"
	if s.shut.Load() {
		return nil, errClosed(op)
	}
	rows, err := s.rdb.QueryContext(ctx, sqlJobs, kind, after, max(limit, 1))
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return scanJobs(op, rows)
}

func scanJobs(op string, rows *sql.Rows) ([]dsn.Job, error) {
	defer rows.Close()
	var out []dsn.Job
	for rows.Next() {
		var j dsn.Job
		var created int64
		if err := rows.Scan(&j.Seq, &j.Kind, &j.Key, &created); err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		j.Created = sqlstore.FromMicros(created)
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return out, nil
}
