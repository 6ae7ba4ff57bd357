package sqlite

import (
	"dsn"
	"dsn/internal/sqlstore"
)

// held merges the PutAlls of the fns of one group commit into one PutAll.
//
// Over HTTP, every transaction Bundle is one fn whose writes reach the store
// as one PutAll of ~26 versions (repo/deferredtx.go), and 16 clients put a
// handful of them in each group commit. A PutAll of 26 costs ~1.2–1.4 times
// the writer CPU per resource of one of several hundred (BenchmarkPutAll,
// BenchmarkPutAllParallel): more statements of fewer rows, and index rows
// sorted only within their Bundle. While the batch runs without savepoints
// (write.go, runTx), a PutAll is therefore held here, and the held writes go
// to the database together: before the COMMIT, or as soon as any fn of the
// batch reads the store or writes another way (Read, Search, Put), so every
// read inside the transaction still sees every earlier write, in fn order.
//
// Each fn stays all or nothing without a savepoint: a fn that fails before its
// writes were sent has them dropped from the batch (nothing of it reached the
// database); if a fn fails after they were sent, or if sending the merged
// writes fails (a version conflict, an id created meanwhile — the caller
// cannot be told from the others), the batch is rolled back and runs again
// with a savepoint per fn and no holding, where each PutAll answers for
// itself (runTx's retry, which the Store.Write contract allows).
type held struct {
	on bool // the batch runs without savepoints: PutAll may hold
	sqlstore.Held
	err  error // sending failed: the batch must run again with savepoints
	sent int   // PutAlls sent (merged or not), for the tests
}

// reset empties the held writes at the start of a batch run.
func (h *held) reset(on bool) {
	h.on, h.err = on, nil
	h.Take()
}

// hold keeps ws for the merged PutAll, after sending what is already held if
// ws names one of those resources again (its version follows theirs). ok is
// false when the batch does not hold writes: PutAll writes at once.
func (t *tx) hold(op string, ws []dsn.Write) (ok bool, err error) {
	h := &t.s.held
	if !h.on {
		return false, nil
	}
	if h.Repeats(ws) {
		if err := t.send(op); err != nil {
			return true, err
		}
	}
	h.Add(ws)
	return true, nil
}

// send writes the held versions with one PutAll before t reads the store or
// writes another way. If they include t's own, t has written (undoing its fn
// then needs the rollback).
func (t *tx) send(op string) error {
	h := &t.s.held
	if h.Len() == 0 {
		return nil
	}
	if h.Len() > t.mark {
		t.Wrote = true
	}
	t.mark = 0
	if err := t.s.sendHeld(); err != nil {
		return t.Record(err)
	}
	return nil
}

// sendHeld writes the held versions (write.go: before the COMMIT). A failure
// is kept in held.err: the batch runs again with savepoints.
func (s *Store) sendHeld() error {
	h := &s.held
	if h.Len() == 0 {
		return h.err
	}
	h.sent++
	err := (&tx{s: s}).putAll("sqlite.Tx.PutAll", h.Take())
	if err != nil && h.err == nil {
		h.err = err
	}
	return err
}

// drop removes the writes t held: its fn failed before they were sent.
func (t *tx) drop() { t.s.held.Drop(t.mark) }

// newBareTx is the Tx of a fn run without a savepoint; its held writes start
// at mark. bulk: the fn is a bulk import's (tx.bulk).
func (s *Store) newBareTx(bulk bool) *tx {
	return &tx{s: s, mark: s.held.Len(), bulk: bulk}
}
