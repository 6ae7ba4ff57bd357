package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// maxBatch bounds how many callers' fns share one transaction. Each fn runs in
// a subtransaction (savepoint); PostgreSQL caches 64 subtransaction ids per
// backend before other sessions' snapshots get slower, hence 64.
const maxBatch = 64

// Write queues fn for the writer goroutine, which runs the fns of concurrent
// callers in one transaction, each inside its own savepoint (group commit,
// docs/decisions/0003-group-commit.md). It returns after the COMMIT that made
// fn's writes durable, or with fn's error after they were rolled back.
func (s *Store) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	return s.queue.Submit(ctx, "postgres.Write", fn)
}

// writer owns one writer connection. Several writers share the queue: unlike
// SQLite, PostgreSQL runs their transactions in parallel and flushes their
// commits together. Requests that arrive while a batch commits wait in the
// queue and form the next batch.
func (s *Store) writer(i int) {
	defer s.writers.Done()
	for req := range s.queue.C {
		conn, err := s.writerConn(i)
		batch := []*sqlstore.Request{req}
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.queue.C:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if err != nil {
			sqlstore.Reply(sqlstore.Take(batch), nil, dsn.Wrap("postgres.Write", dsn.KindUnavailable, err))
			continue
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
func (s *Store) runBatch(conn *pgx.Conn, batch []*sqlstore.Request) {
	live := sqlstore.Take(batch)
	if len(live) == 0 {
		return
	}
	results, again, err := s.runPasses(conn, live, nil)
	if err != nil {
		s.abort(conn, live, err)
		return
	}
	// the committed fns are answered first; a fn that met a resource lock it
	// could not wait for was rolled back and runs again alone (samewrite.go)
	done, doneResults, rerun := live[:0:0], results[:0:0], []int(nil)
	for i, r := range live {
		if again[i] != nil {
			rerun = append(rerun, i)
			continue
		}
		done, doneResults = append(done, r), append(doneResults, results[i])
	}
	sqlstore.Reply(done, doneResults, nil)
	for _, i := range rerun {
		s.runAlone(conn, live[i], union(nil, again[i]))
	}
}

// runPasses runs the fns of live in one transaction without savepoints and,
// when a fn failed after writing, once more with a savepoint each (runPass).
func (s *Store) runPasses(conn *pgx.Conn, live []*sqlstore.Request, first []dsn.ResourceKey) ([]error, [][]dsn.ResourceKey, error) {
	results, again, retry, err := s.runPass(conn, live, false, first)
	if retry {
		results, again, _, err = s.runPass(conn, live, true, first)
	}
	return results, again, err
}

// runPass runs the fns of live in one transaction, each in its own savepoint
// if savepoints is set. Savepoints are not released (COMMIT releases them; the
// batch is bounded). retry: a fn failed after writing in a pass without savepoints.
// again[i] non-nil: fn i met a resource lock held elsewhere and was rolled
// back; again[i] are the resources it asked for (samewrite.go). first: the
// locks to wait for before the fn, when live is one fn run alone.
func (s *Store) runPass(conn *pgx.Conn, live []*sqlstore.Request, savepoints bool, first []dsn.ResourceKey) (results []error, again [][]dsn.ResourceKey, retry bool, err error) {
	ctx := context.Background()
	results = make([]error, len(live))
	again = make([][]dsn.ResourceKey, len(live))
	lk := &locks{}
	began := false
	var carried []dsn.Job // job inserts of earlier fns not sent yet (tx.AddJob)
	var h *sqlstore.Held  // PutAlls of the fns held for one merged write (bulkmerge.go)
	var c *heldCreates    // creates of the fns held for one dsn_create (createmerge.go)
	if !savepoints {
		h, c = &sqlstore.Held{}, &heldCreates{}
	}
	for i, r := range live {
		if err := r.Ctx.Err(); err != nil {
			results[i] = dsn.Wrap("postgres.Write", dsn.KindUnavailable, err)
			continue
		}
		t := &tx{conn: conn, ctx: ctx, unsorted: s.loading.Load(), jobs: carried, held: h, creates: c, locks: lk}
		if h != nil {
			t.mark, t.cmark = h.Len(), c.len()
		}
		if !began {
			t.pending = []string{"BEGIN"}
		}
		if len(first) > 0 && !began {
			if err := t.lockFirst(first); err != nil {
				return nil, nil, false, err
			}
			began = true
		}
		if savepoints {
			t.pending = append(t.pending, "SAVEPOINT w")
		}
		results[i] = sqlstore.Call("postgres.Write", r.Fn, t)
		if t.busy {
			// whatever the fn made of the refusal, it is undone below and
			// run again alone
			results[i] = sqlstore.ConcurrentWrite("postgres.Write", errLockBusy)
			again[i] = t.asked
		}
		if results[i] == nil && savepoints && len(t.jobs) > 0 {
			// inside this fn's savepoint, before the next one opens
			if err := t.flush(); err != nil {
				results[i] = t.fail("postgres.Write", err)
			}
		}
		results[i] = t.Finish(results[i])
		began = began || t.began
		// what is still unsent goes on with the next fn: earlier fns' jobs,
		// and this fn's if it succeeded (a failure that wrote reruns the pass)
		carried = t.jobs
		if savepoints && results[i] != nil {
			carried = nil // rolled back to its savepoint with the fn
		}
		switch {
		case results[i] == nil:
		case !savepoints && (t.Wrote || t.Failed != nil):
			if began {
				if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
					return nil, nil, false, fmt.Errorf("rollback: %w", err)
				}
			}
			return nil, nil, true, nil
		case !savepoints:
			t.drop() // failed before its held writes were sent: nothing of it was written
			t.dropCreates()
		case savepoints && len(t.pending) == 0:
			if _, err := conn.Exec(ctx, "ROLLBACK TO w"); err != nil {
				return nil, nil, false, fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
	}
	if h != nil && h.Len() > 0 { // the held writes, merged, before the COMMIT
		t := &tx{conn: conn, ctx: ctx, unsorted: s.loading.Load(), jobs: carried, held: h}
		if !began {
			t.pending = []string{"BEGIN"}
		}
		err := t.sendHeld()
		began, carried = began || t.began, t.jobs
		if err != nil {
			if began {
				if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
					return nil, nil, false, fmt.Errorf("rollback: %w", err)
				}
			}
			return nil, nil, true, nil // every fn answers for itself with savepoints
		}
	}
	if len(carried) > 0 || c != nil && c.len() > 0 {
		// the last fns' jobs and the held creates travel with the COMMIT: one
		// round trip for a batch of creates
		t := &tx{conn: conn, ctx: ctx, unsorted: s.loading.Load(), jobs: carried}
		if !began {
			t.pending = []string{"BEGIN"}
		}
		b := &pgx.Batch{}
		t.queueUnsent(b)
		creates := c != nil && c.len() > 0
		if creates {
			c.queue(b)
		}
		b.Queue("COMMIT")
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			if !creates || conn.IsClosed() {
				return nil, nil, false, fmt.Errorf("commit: %w", err)
			}
			// a create found its resource (or the batch failed there): every
			// fn answers for itself with savepoints and dsn_put
			if conn.PgConn().TxStatus() != 'I' {
				if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
					return nil, nil, false, fmt.Errorf("rollback: %w", err)
				}
			}
			return nil, nil, true, nil
		}
		return results, again, false, nil
	}
	if began {
		if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
			return nil, nil, false, fmt.Errorf("commit: %w", err)
		}
	}
	return results, again, false, nil
}

// writerConn returns writer i's connection, connecting at its first batch
// and again if the previous one broke (server restart, network): one failed
// batch, not a dead store.
func (s *Store) writerConn(i int) (*pgx.Conn, error) {
	if c := s.wconns[i]; c != nil && !c.IsClosed() {
		return c, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return nil, err // the server is away: the batch fails fast
	}
	s.wconns[i] = c
	return c, nil
}

// abort rolls the batch back and fails every caller.
func (s *Store) abort(conn *pgx.Conn, live []*sqlstore.Request, err error) {
	if !conn.IsClosed() && conn.PgConn().TxStatus() != 'I' {
		conn.Exec(context.Background(), "ROLLBACK")
	}
	sqlstore.Reply(live, nil, dsn.Wrap("postgres.Write", dsn.KindInternal, err))
}
