package postgres

import "dsn"

// The PutAlls of the fns of one group commit are merged into one, as on
// SQLite (sqlite/bulkmerge.go, where the reasons are; sqlstore.Held keeps
// them, write.go runPass owns one per pass): over HTTP every
// transaction Bundle is one fn with one PutAll of ~26 versions, and a PutAll
// costs two sequence round trips and a COPY per table however few its rows.
// While a batch runs without savepoints (write.go, runPass), a PutAll is
// held; the held versions go to the database together before the COMMIT, or
// as soon as any fn of the batch reads or Puts (flush, Put). A fn that fails
// before they are sent has its own dropped; a fn that fails after, or a
// failure of the merged write, reruns the batch with savepoints, where each
// PutAll answers for itself.

// hold keeps ws for the merged PutAll (after sending what is held if ws
// names one of those resources again). ok is false when the batch does not
// hold writes.
func (t *tx) hold(op string, ws []dsn.Write) (ok bool, err error) {
	h := t.held
	if h == nil {
		return false, nil
	}
	if h.Repeats(ws) {
		if err := t.sendHeld(); err != nil {
			return true, err
		}
	}
	h.Add(ws)
	return true, nil
}

// sendHeld writes the held versions with one PutAll. If they include t's
// own, t has written (undoing its fn then needs the rollback).
func (t *tx) sendHeld() error {
	h := t.held
	if h == nil || h.Len() == 0 {
		return nil
	}
	if h.Len() > t.mark {
		t.Wrote = true
	}
	t.mark = 0
	return t.putAll("postgres.Tx.PutAll", h.Take())
}

// drop removes the writes t held: its fn failed before they were sent.
func (t *tx) drop() {
	if t.held != nil {
		t.held.Drop(t.mark)
	}
}
