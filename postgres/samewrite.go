package postgres

import (
	"cmp"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// Same-id writes are serialised (issue 2, decision 0038). PostgreSQL runs
// several writer transactions at once (Writers, other processes), so a fn
// that reads a resource's current version and writes the next could lose to
// another writer committing a version in between (dsn_put's version check:
// dsn.ErrVersionRace). Tx.Read therefore first takes a transaction-scoped
// advisory lock keyed on (schema, type, id) and reads in a new statement after
// it (READ COMMITTED: a fresh snapshot), so it sees the last committed version
// and no other writer can commit one before this transaction ends. An absent
// id is locked too (update as create).
//
// Locks are held until the COMMIT, and a transaction holds the fns of a whole
// batch, so two transactions taking locks in different orders could deadlock.
// Waiting is therefore allowed only when it cannot close a cycle: a
// transaction waits for a lock only while it holds none and has written
// nothing (its first lock), or for the sorted set of locks it takes first of
// all (below). Any later lock is only tried; when another transaction has it,
// the fn is rolled back and run again after the batch's COMMIT, alone in its
// own transaction, which first waits for every lock the fn asked for so far,
// in (type, id) order (runAlone). Waits happen only from "holding nothing"
// towards larger keys, so no cycle of waits can form.

const (
	lockKey     = `hashtextextended(current_schema() || ' ' || $1 || '/' || $2, 0)`
	sqlLockWait = `SELECT pg_advisory_xact_lock(` + lockKey + `)`
	sqlLockTry  = `SELECT pg_try_advisory_xact_lock(` + lockKey + `)`
)

// maxAlone bounds the reruns of one fn alone; each takes at least one lock
// more than the one before, so only a fn reading ever new resources reaches it.
const maxAlone = 32

// locks is what the fns of one transaction share about resource locks.
type locks struct {
	held bool // a lock was taken or a write sent: the transaction may not wait for a lock any more
}

// errLockBusy: a lock another transaction holds, met when this one may not
// wait. The fn is rolled back and run again alone; callers never see it.
var errLockBusy = errors.New("resource locked by another writer")

// mayWait reports whether t's transaction holds no lock and has written
// nothing, nor holds writes of the batch to send first.
func (t *tx) mayWait() bool {
	return !t.locks.held && (t.held == nil || t.held.Len() == 0) && (t.creates == nil || t.creates.len() == 0)
}

// wrote records that the transaction sent a write: it holds row locks.
func (t *tx) wrote() {
	if t.locks != nil {
		t.locks.held = true
	}
}

// readLocked locks typ/id (waiting if it may, else only trying) and reads its
// current version, with the statements not yet sent, in one round trip.
func (t *tx) readLocked(op, typ, id string) (dsn.Resource, error) {
	wait := t.mayWait()
	if err := t.sendHeld(); err != nil {
		return dsn.Resource{}, t.fail(op, err)
	}
	if err := t.sendCreates(); err != nil {
		return dsn.Resource{}, t.fail(op, err)
	}
	t.asked = append(t.asked, dsn.ResourceKey{Type: typ, ID: id})
	b := &pgx.Batch{}
	n := t.queueUnsent(b)
	lock := sqlLockTry
	if wait {
		lock = sqlLockWait
	}
	b.Queue(lock, typ, id)
	b.Queue(sqlReadCurrent, typ, id)
	br := t.conn.SendBatch(t.ctx, b)
	defer br.Close()
	for range n {
		if _, err := br.Exec(); err != nil {
			return dsn.Resource{}, t.fail(op, err)
		}
	}
	got := true
	var err error
	if wait {
		_, err = br.Exec()
	} else {
		err = br.QueryRow().Scan(&got)
	}
	if err != nil {
		return dsn.Resource{}, t.fail(op, err)
	}
	t.locks.held = true
	if !got {
		t.busy = true
		return dsn.Resource{}, sqlstore.ConcurrentWrite(op, errLockBusy)
	}
	r, err := sqlstore.Postgres.ScanKeyed(br.QueryRow(), typ, id)
	r, err = sqlstore.ReadResult(op, typ, id, 0, r, err, errors.Is(err, pgx.ErrNoRows))
	if err != nil && dsn.KindOf(err) == dsn.KindInternal {
		t.fail(op, err)
	}
	return r, err
}

// lockFirst opens the transaction of a fn run alone by waiting for keys in
// their sorted order: it holds nothing before, so the waits cannot deadlock.
func (t *tx) lockFirst(keys []dsn.ResourceKey) error {
	b := &pgx.Batch{}
	t.queueUnsent(b)
	for _, k := range keys {
		b.Queue(sqlLockWait, k.Type, k.ID)
	}
	t.locks.held = true
	if err := t.conn.SendBatch(t.ctx, b).Close(); err != nil {
		return t.fail("postgres.Write", err)
	}
	return nil
}

// union is the sorted set of the keys of a and b.
func union(a, b []dsn.ResourceKey) []dsn.ResourceKey {
	out := append(slices.Clone(a), b...)
	slices.SortFunc(out, func(x, y dsn.ResourceKey) int {
		return cmp.Or(cmp.Compare(x.Type, y.Type), cmp.Compare(x.ID, y.ID))
	})
	return slices.Compact(out)
}

// runAlone runs the fn of r, which met a lock another transaction held, again
// in its own transactions until it no longer does: each first waits for every
// lock the fn asked for until then (keys), then runs it.
func (s *Store) runAlone(conn *pgx.Conn, r *sqlstore.Request, keys []dsn.ResourceKey) {
	one := []*sqlstore.Request{r}
	for range maxAlone {
		results, again, err := s.runPasses(conn, one, keys)
		if err != nil {
			s.abort(conn, one, err)
			return
		}
		if again[0] == nil {
			sqlstore.Reply(one, results, nil)
			return
		}
		keys = union(keys, again[0])
	}
	sqlstore.Reply(one, []error{sqlstore.ConcurrentWrite("postgres.Write", errLockBusy)}, nil)
}
