package repo

import "dsn"

// deferredTx holds back the Puts of a transaction Bundle and stores them
// together, with one dsn.BulkTx.PutAll when the store has it: multi-row
// INSERTs on SQLite, one round trip on PostgreSQL, instead of a handful of
// statements per resource on the single writer. Nothing changes for the
// caller: the transaction is all or nothing either way, and every read that
// could see a held-back write sends them first — a Read of a resource
// waiting here, any Search — so a GET entry still sees the transaction's
// writes (http.html#trules). A failure of the deferred writes fails the
// whole transaction with its own kind (a refusal of the access policy stays
// 403, a version conflict 409), without the entry's position.
type deferredTx struct {
	dsn.Tx
	pending []dsn.Write
	held    map[string]bool // Type/id of the pending writes
}

// newDeferredTx holds the writes of up to n entries without growing.
func newDeferredTx(tx dsn.Tx, n int) *deferredTx {
	return &deferredTx{Tx: tx, pending: make([]dsn.Write, 0, n), held: make(map[string]bool, n)}
}

// Put queues w; a second write of the same resource sends the first one.
func (t *deferredTx) Put(w dsn.Write) error {
	key := w.Type + "/" + w.ID
	if t.held[key] {
		if err := t.flush(); err != nil {
			return err
		}
	}
	t.pending = append(t.pending, w)
	t.held[key] = true
	return nil
}

// Read sees the held-back version of typ/id by sending the writes first.
func (t *deferredTx) Read(typ, id string) (dsn.Resource, error) {
	if t.held[typ+"/"+id] {
		if err := t.flush(); err != nil {
			return dsn.Resource{}, err
		}
	}
	return t.Tx.Read(typ, id)
}

// Search may match any held-back write: they are sent first.
func (t *deferredTx) Search(q dsn.SearchQuery) (dsn.SearchResult, error) {
	if err := t.flush(); err != nil {
		return dsn.SearchResult{}, err
	}
	return t.Tx.Search(q)
}

// flush stores the pending writes in their order.
func (t *deferredTx) flush() error {
	if len(t.pending) == 0 {
		return nil
	}
	ws := t.pending
	t.pending = nil
	clear(t.held)
	return dsn.PutAll(t.Tx, ws)
}
