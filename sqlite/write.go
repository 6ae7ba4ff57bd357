package sqlite

import (
	"context"
	"fmt"
	"runtime"

	"dsn"
	"dsn/internal/sqlstore"
)

// maxBatch bounds how many callers' fns share one transaction (and one fsync).
const maxBatch = 256

// maxYields bounds how long fill waits for late callers (a few scheduler turns).
const maxYields = 1

// Write queues fn for the writer goroutine, which runs the fns of concurrent
// callers in one transaction, each inside its own savepoint (group commit,
// docs/decisions/0003-group-commit.md). It returns after the COMMIT and the WAL
// fsync that made fn's writes durable (durable.go), or with fn's error after
// they were rolled back.
func (s *Store) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	return s.queue.Submit(ctx, "sqlite.Write", fn)
}

// writer is the only goroutine that uses the writer connection. Requests that
// arrive while a batch commits wait in the queue and form the next batch.
// Each batch's callers are answered after the WAL fsync that follows its
// COMMIT, while the writer runs the next batch (durable.go).
func (s *Store) writer() {
	defer close(s.done)
	for req := range s.queue.C {
		batch := s.fill([]*sqlstore.Request{req})
		if c, ok := s.runBatch(batch); ok {
			s.acknowledge(c)
			if c.needSync {
				s.ckpt.committed()
				s.writerCheckpoint()
			}
		}
	}
	s.syncing.Wait()
}

// fill adds the queued requests to batch. When the queue is empty it yields
// (maxYields times) first: callers answered by the previous commit are runnable but may not
// have queued their next write yet, and waiting for them costs far less than
// an extra fsync.
func (s *Store) fill(batch []*sqlstore.Request) []*sqlstore.Request {
	for yields := 0; len(batch) < maxBatch; {
		select {
		case r, ok := <-s.queue.C:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			if yields == maxYields {
				return batch
			}
			yields++
			runtime.Gosched()
		}
	}
	return batch
}

// runBatch runs one group commit. Statements use a background context: an
// interrupted statement inside an explicit SQLite transaction may roll back the
// whole transaction, which would take the other callers' writes with it.
// ok is false when no caller was left to answer.
func (s *Store) runBatch(batch []*sqlstore.Request) (c committed, ok bool) {
	live := sqlstore.Take(batch)
	if len(live) == 0 {
		return c, false
	}
	c = committed{live: live, results: make([]error, len(live))}
	if p := s.syncErr.Load(); p != nil {
		c.batchErr = *p // an earlier fsync failed: nothing more can be promised
		return c, true
	}
	if retry := s.runTx(&c, false); retry {
		c = committed{live: c.live, results: make([]error, len(c.live))}
		s.runTx(&c, true)
	}
	return c, true
}

// runTx runs the fns of c.live in one transaction. Most fns succeed, or fail
// before writing anything (a version conflict is found by a read), so the
// first pass runs them without savepoints: a savepoint per fn costs two
// statements and a copy of every page the fn touches into the savepoint
// journal (~15 % of the writer's CPU in profiles). If a fn fails after it
// wrote, the pass is rolled back and retry is true: the batch then runs again
// with a savepoint per fn, so that only the failing fn's writes are undone
// (the Store.Write contract lets a fn run more than once).
func (s *Store) runTx(c *committed, savepoints bool) (retry bool) {
	ctx := context.Background()
	if _, err := s.wstmt.begin.ExecContext(ctx); err != nil {
		c.batchErr = dsn.Wrap("sqlite.Write", dsn.KindUnavailable, fmt.Errorf("begin: %w", err))
		return false
	}
	s.held.reset(!savepoints)
	for i, r := range c.live {
		var err, fatal error
		if savepoints {
			err, fatal = s.runOne(ctx, r)
		} else if err, retry = s.runBare(r); retry {
			s.wconn.ExecContext(ctx, "ROLLBACK")
			return true
		}
		c.results[i] = err
		if fatal != nil {
			s.wconn.ExecContext(ctx, "ROLLBACK")
			c.batchErr = fatal
			return false
		}
	}
	if !savepoints && (s.extend(c) || s.sendHeld() != nil) {
		s.wconn.ExecContext(ctx, "ROLLBACK")
		return true
	}
	if _, err := s.wstmt.commit.ExecContext(ctx); err != nil {
		s.wconn.ExecContext(ctx, "ROLLBACK")
		c.batchErr = dsn.Wrap("sqlite.Write", dsn.KindInternal, fmt.Errorf("commit: %w", err))
		return false
	}
	// Even the callers whose fn failed wait for the fsync: their error (a
	// version conflict, say) may rest on a write of an earlier batch that is
	// not durable yet.
	c.needSync = true
	return false
}

// extend keeps the batch's transaction open while an earlier batch's WAL
// fsync is still running, and runs in it the requests that arrive meanwhile.
// Their callers could not be answered before that fsync anyway (acknowledgements
// follow the WAL order), and one larger COMMIT writes each dirty page once
// instead of once per small batch: a clinical create dirties ~20 index pages,
// most of them the same hot pages as its neighbours', and the WAL frame writes
// and their checkpoint copies were the writer's largest cost (docs/benchmarks.md,
// session 5). retry is runBare's: a fn failed after writing.
func (s *Store) extend(c *committed) (retry bool) {
	for len(c.live) < maxBatch && s.inSync.Load() > 0 {
		select {
		case r, ok := <-s.queue.C:
			if !ok {
				return false
			}
			if len(sqlstore.Take([]*sqlstore.Request{r})) == 0 {
				continue // its caller gave up while it was queued
			}
			c.live = append(c.live, r)
			c.results = append(c.results, nil)
			var err error
			if err, retry = s.runBare(r); retry {
				return true
			}
			c.results[len(c.results)-1] = err
		case <-s.synced:
		}
	}
	return false
}

// runBare runs one fn without a savepoint. retry means it failed after writing,
// so the transaction must be rolled back.
func (s *Store) runBare(r *sqlstore.Request) (err error, retry bool) {
	if err := r.Ctx.Err(); err != nil {
		return dsn.Wrap("sqlite.Write", dsn.KindUnavailable, err), false
	}
	tx := s.newBareTx(dsn.IsBulkImport(r.Ctx))
	err = tx.Finish(sqlstore.Call("sqlite.Write", r.Fn, tx))
	if s.held.err != nil {
		return err, true // the merged PutAll failed: every fn answers for itself again (bulkmerge.go)
	}
	if err != nil && !tx.Wrote {
		tx.drop() // its held writes never reached the database
	}
	return err, err != nil && tx.Wrote
}

// runOne runs one fn inside a savepoint. err is the caller's own outcome; fatal
// means the transaction itself is broken and the whole batch must fail.
func (s *Store) runOne(ctx context.Context, r *sqlstore.Request) (err, fatal error) {
	if err := r.Ctx.Err(); err != nil {
		return dsn.Wrap("sqlite.Write", dsn.KindUnavailable, err), nil
	}
	if _, err := s.wstmt.savepoint.ExecContext(ctx); err != nil {
		return nil, dsn.Wrap("sqlite.Write", dsn.KindInternal, fmt.Errorf("savepoint: %w", err))
	}
	tx := &tx{s: s, bulk: dsn.IsBulkImport(r.Ctx)}
	err = tx.Finish(sqlstore.Call("sqlite.Write", r.Fn, tx))
	if err != nil {
		if _, rb := s.wstmt.rollbackTo.ExecContext(ctx); rb != nil {
			return err, dsn.Wrap("sqlite.Write", dsn.KindInternal, fmt.Errorf("rollback to savepoint: %w", rb))
		}
	}
	if _, rel := s.wstmt.release.ExecContext(ctx); rel != nil {
		return err, dsn.Wrap("sqlite.Write", dsn.KindInternal, fmt.Errorf("release savepoint: %w", rel))
	}
	return err, nil
}
