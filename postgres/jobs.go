package postgres

import (
	"context"

	"dsn"
)

// The durable job queue of migration 0003 (dsn.Job).
const (
	sqlAddJob     = `INSERT INTO job (kind, key, created) VALUES ($1, $2, $3)`
	sqlDeleteJobs = `DELETE FROM job WHERE seq = ANY($1)`
	sqlJobs       = `SELECT seq, kind, key, created FROM job WHERE kind = $1 AND seq > $2 ORDER BY seq LIMIT $3`
)

// AddJob queues j with the transaction's writes (dsn.Tx.AddJob). The INSERT
// waits in the tx and travels with the next round trip — the fn's next
// statement, or the next fn's first one, or the COMMIT (runPass) — instead
// of costing one of its own: a Patient create's link job is the fn's last
// statement, so this saves one round trip per create. A failure there is the
// failure of whatever statement it travelled with, and fails the batch like
// a failed COMMIT would; the savepoint pass sends each fn's jobs before the
// next fn's savepoint.
func (t *tx) AddJob(j dsn.Job) error {
	const op = "postgres.Tx.AddJob"
	if err := t.Check(op); err != nil {
		return err
	}
	t.jobs = append(t.jobs, j)
	t.Wrote = true
	return nil
}

// DeleteJobs removes done jobs (dsn.Tx.DeleteJobs).
func (t *tx) DeleteJobs(seqs []int64) error {
	const op = "postgres.Tx.DeleteJobs"
	if err := t.Check(op); err != nil {
		return err
	}
	if len(seqs) == 0 {
		return nil
	}
	if err := t.flush(); err != nil {
		return t.fail(op, err)
	}
	t.Wrote = true
	t.wrote()
	if _, err := t.conn.Exec(t.ctx, sqlDeleteJobs, seqs); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// Jobs lists queued jobs of kind after a Seq, oldest first (dsn.Store.Jobs).
func (s *Store) Jobs(ctx context.Context, kind string, after int64, limit int) ([]dsn.Job, error) {
	const op = "postgres.Jobs"
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	rows, err := c.Query(ctx, sqlJobs, kind, after, max(limit, 1))
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	defer rows.Close()
	var out []dsn.Job
	for rows.Next() {
		var j dsn.Job
		if err := rows.Scan(&j.Seq, &j.Kind, &j.Key, &j.Created); err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		j.Created = j.Created.UTC()
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return out, nil
}
