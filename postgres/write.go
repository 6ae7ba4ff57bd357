package postgres

import (
	"context"
	"fmt"
	"sync/atomic"

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

// writer is the only goroutine that uses the writer connection. Requests that
// arrive while a batch commits wait in the queue and form the next batch.
func (s *Store) writer() {
	defer close(s.done)
	for req := range s.queue {
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
		s.runBatch(batch)
	}
}

// runBatch runs one group commit. Savepoint boundaries travel with the next
// command in one simple-protocol round trip ("RELEASE w; SAVEPOINT w").
// Statements use a background context: cancelling one caller's query would
// break the connection and with it the other callers' transaction.
func (s *Store) runBatch(batch []*writeReq) {
	ctx := context.Background()
	live := batch[:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	results := make([]error, len(live))
	boundary := "BEGIN; SAVEPOINT w"
	for i, r := range live {
		if err := r.ctx.Err(); err != nil {
			results[i] = dsn.Wrap("postgres.Write", dsn.KindUnavailable, err)
			continue
		}
		if _, err := s.wconn.Exec(ctx, boundary); err != nil {
			s.abort(live, results, fmt.Errorf("savepoint: %w", err))
			return
		}
		boundary = "RELEASE w; SAVEPOINT w"
		results[i] = s.runOne(ctx, r)
		if results[i] != nil {
			if _, err := s.wconn.Exec(ctx, "ROLLBACK TO w"); err != nil {
				s.abort(live, results, fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
	}
	if boundary == "BEGIN; SAVEPOINT w" {
		reply(live, results, nil) // every caller had gone: nothing was begun
		return
	}
	if _, err := s.wconn.Exec(ctx, "RELEASE w; COMMIT"); err != nil {
		s.abort(live, results, fmt.Errorf("commit: %w", err))
		return
	}
	reply(live, results, nil)
}

// runOne runs one fn; a database error the fn ignored still fails it.
func (s *Store) runOne(ctx context.Context, r *writeReq) error {
	tx := &tx{s: s, ctx: ctx}
	err := call(r.fn, tx)
	tx.finished = true
	if err == nil && tx.failed != nil {
		err = tx.failed
	}
	return err
}

// abort rolls the batch back and fails every caller.
func (s *Store) abort(live []*writeReq, results []error, err error) {
	if s.wconn.PgConn().TxStatus() != 'I' {
		s.wconn.Exec(context.Background(), "ROLLBACK")
	}
	reply(live, results, dsn.Wrap("postgres.Write", dsn.KindInternal, err))
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
