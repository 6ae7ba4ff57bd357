package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
)

// maxBatch bounds how many callers' fns share one transaction. Each fn runs in
// a subtransaction (savepoint); PostgreSQL caches 64 subtransaction ids per
// backend before other sessions' snapshots get slower, hence 64.
const maxBatch = 64

// Request states: a queued request may still be abandoned by its caller; once the
// writer has taken it, the caller waits for the commit.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

type writeReq struct {
	ctx   context.Context
	fn    func(dsn.Tx) error
	state atomic.Int32
	done  chan error // receives exactly one result, after COMMIT or ROLLBACK
}

// Write queues fn for the writer goroutine, which runs the fns of concurrent
// callers in one transaction, each inside its own savepoint (group commit,
// docs/decisions/0003-group-commit.md). It returns after the COMMIT that made
// fn's writes durable, or with fn's error after they were rolled back.
func (s *Store) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	const op = "postgres.Write"
	if err := ctx.Err(); err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return dsn.Errorf(op, dsn.KindUnavailable, "la base est fermée")
	}
	select {
	case s.queue <- req:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return dsn.Wrap(op, dsn.KindUnavailable, ctx.Err())
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		if req.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return dsn.Wrap(op, dsn.KindUnavailable, ctx.Err())
		}
		return <-req.done // already running: its outcome is decided by the commit
	}
}

// writer owns one writer connection. Several writers share the queue: unlike
// SQLite, PostgreSQL runs their transactions in parallel and flushes their
// commits together. Requests that arrive while a batch commits wait in the
// queue and form the next batch.
func (s *Store) writer(i int) {
	defer s.writers.Done()
	for req := range s.queue {
		conn := s.writerConn(i)
		batch := []*writeReq{req}
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.runBatch(conn, batch)
	}
}

// runBatch runs one group commit on conn. Nothing is sent until a fn needs the
// database: BEGIN (and a SAVEPOINT) then travel in the same round trip as the
// fn's first command (tx.flush), so a create costs one round trip plus its share
// of the COMMIT. Statements use a background context: cancelling one caller's
// query would break the connection and with it the other callers' transaction.
//
// The first pass runs the fns without savepoints: most succeed, or fail on a
// version conflict that dsn_put reports without writing, and a subtransaction
// per fn costs the server a subtransaction id and its bookkeeping. If a fn
// fails after writing (or on a database error, which aborts the transaction),
// the pass is rolled back and the batch runs again with a savepoint per fn,
// so that only that fn's writes are undone (the Store.Write contract lets a
// fn run more than once).
func (s *Store) runBatch(conn *pgx.Conn, batch []*writeReq) {
	live := batch[:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	results, retry, err := s.runPass(conn, live, false)
	if retry {
		results, _, err = s.runPass(conn, live, true)
	}
	if err != nil {
		s.abort(conn, live, err)
		return
	}
	reply(live, results, nil)
}

// runPass runs the fns of live in one transaction, each in its own savepoint
// if savepoints is set. Savepoints are not released (COMMIT releases them; the
// batch is bounded). retry: a fn failed after writing in a pass without savepoints.
func (s *Store) runPass(conn *pgx.Conn, live []*writeReq, savepoints bool) (results []error, retry bool, err error) {
	ctx := context.Background()
	results = make([]error, len(live))
	began := false
	for i, r := range live {
		if err := r.ctx.Err(); err != nil {
			results[i] = dsn.Wrap("postgres.Write", dsn.KindUnavailable, err)
			continue
		}
		t := &tx{conn: conn, ctx: ctx}
		if !began {
			t.pending = []string{"BEGIN"}
		}
		if savepoints {
			t.pending = append(t.pending, "SAVEPOINT w")
		}
		results[i] = call(r.fn, t)
		t.finished = true
		if results[i] == nil && t.failed != nil {
			results[i] = t.failed // the fn ignored a database error
		}
		began = began || t.began
		switch {
		case results[i] == nil:
		case !savepoints && (t.wrote || t.failed != nil):
			if began {
				if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
					return nil, false, fmt.Errorf("rollback: %w", err)
				}
			}
			return nil, true, nil
		case savepoints && len(t.pending) == 0:
			if _, err := conn.Exec(ctx, "ROLLBACK TO w"); err != nil {
				return nil, false, fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
	}
	if began {
		if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
			return nil, false, fmt.Errorf("commit: %w", err)
		}
	}
	return results, false, nil
}

// writerConn returns writer i's connection, reconnecting if the previous one
// broke (server restart, network): one failed batch, not a dead store.
func (s *Store) writerConn(i int) *pgx.Conn {
	if c := s.wconns[i]; !c.IsClosed() {
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := pgx.ConnectConfig(ctx, s.cfg); err == nil {
		s.wconns[i] = c
	}
	return s.wconns[i] // still closed if the server is away: the batch fails fast
}

// abort rolls the batch back and fails every caller.
func (s *Store) abort(conn *pgx.Conn, live []*writeReq, err error) {
	if !conn.IsClosed() && conn.PgConn().TxStatus() != 'I' {
		conn.Exec(context.Background(), "ROLLBACK")
	}
	reply(live, nil, dsn.Wrap("postgres.Write", dsn.KindInternal, err))
}

// call runs fn, turning a panic into an error so one caller cannot kill the writer.
func call(fn func(dsn.Tx) error, t dsn.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = dsn.Errorf("postgres.Write", dsn.KindInternal, "panic in write: %v", p)
		}
	}()
	return fn(t)
}

// reply answers every caller: with batchErr if the transaction failed, else with
// the caller's own result.
func reply(live []*writeReq, results []error, batchErr error) {
	for i, r := range live {
		if batchErr != nil {
			r.done <- batchErr
		} else {
			r.done <- results[i]
		}
	}
}
