package postgres

import (
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
)

// The creates of one group commit go to the database together, with the
// COMMIT. A create over HTTP is one fn with one Put of version 1; sent as it
// comes, each costs a round trip (the fns of a batch run one after the other)
// and dsn_put's statements, whose executor start-up — plan check, opening the
// table and its indexes — is most of the server's cost for a few rows
// (docs/benchmarks.md, session 8). While a batch runs without savepoints
// (write.go, runPass), a Put of version 1 that is not a deletion is held and
// Put returns nil at once; the held creates go as one dsn_create call
// (migration 0012: one INSERT per table for the whole batch) in the COMMIT's
// round trip, or before anything else the batch sends (a read, another write:
// flush, Put). If a resource exists already (a version conflict, which
// dsn_put would have answered to its fn), dsn_create raises, and the batch
// reruns with a savepoint per fn and dsn_put, where each fn gets its own
// answer — the Store.Write contract lets a fn run more than once. A fn that
// fails before its creates were sent has them dropped.

// sqlCreate writes held creates (migration 0012).
const sqlCreate = `SELECT dsn_create($1, $2, $3, $4, $5, $6, $7, $8)`

// heldCreates are the creates held in one pass, in fn order.
type heldCreates struct {
	types, ids, methods, keys, bodies, index []string
	updated                                  []time.Time
	kinds                                    []string // each create's index kinds (indexDoc)
	names                                    map[dsn.ResourceKey]struct{}
}

func (h *heldCreates) len() int { return len(h.ids) }

// holds tells whether w's resource is held already.
func (h *heldCreates) holds(w *dsn.Write) bool {
	_, ok := h.names[dsn.ResourceKey{Type: w.Type, ID: w.ID}]
	return ok
}

func (h *heldCreates) add(w *dsn.Write, index, kinds string) {
	if h.names == nil {
		h.names = map[dsn.ResourceKey]struct{}{}
	}
	h.names[dsn.ResourceKey{Type: w.Type, ID: w.ID}] = struct{}{}
	h.types = append(h.types, w.Type)
	h.ids = append(h.ids, w.ID)
	h.methods = append(h.methods, w.Method)
	h.keys = append(h.keys, w.PatientKey)
	h.bodies = append(h.bodies, string(w.Body))
	h.index = append(h.index, index)
	h.updated = append(h.updated, w.LastUpdated)
	h.kinds = append(h.kinds, kinds)
}

// drop forgets the creates held from index from on (a failed fn's own).
func (h *heldCreates) drop(from int) {
	for i := from; i < h.len(); i++ {
		delete(h.names, dsn.ResourceKey{Type: h.types[i], ID: h.ids[i]})
	}
	h.types, h.ids, h.methods, h.keys = h.types[:from], h.ids[:from], h.methods[:from], h.keys[:from]
	h.bodies, h.index, h.updated, h.kinds = h.bodies[:from], h.index[:from], h.updated[:from], h.kinds[:from]
}

// queue adds the dsn_create call of the held creates to b and holds none.
func (h *heldCreates) queue(b *pgx.Batch) {
	var kinds strings.Builder
	for _, letter := range "tsdrqnucix" {
		for _, k := range h.kinds {
			if strings.ContainsRune(k, letter) {
				kinds.WriteRune(letter)
				break
			}
		}
	}
	b.Queue(sqlCreate, h.types, h.ids, h.updated, h.methods, h.keys, h.bodies, h.index, kinds.String())
	*h = heldCreates{names: h.names}
	clear(h.names)
}

// holdCreate holds w if the pass holds creates and w is one. ok is false when
// w must be written now.
func (t *tx) holdCreate(op string, w *dsn.Write) (ok bool, err error) {
	h := t.creates
	if h == nil || w.VersionID != 1 || w.Deleted {
		return false, nil
	}
	if h.holds(w) { // twice in one batch: dsn_put answers the second
		return false, nil
	}
	ix, kinds, err := indexDoc(&w.Index)
	if err != nil {
		return true, t.fail(op, err)
	}
	h.add(w, ix, kinds)
	return true, nil
}

// sendCreates writes the held creates now, with the pending statements. If
// they include t's own, t has written (undoing its fn then needs the rollback).
func (t *tx) sendCreates() error {
	h := t.creates
	if h == nil || h.len() == 0 {
		return nil
	}
	if h.len() > t.cmark {
		t.Wrote = true
	}
	t.cmark = 0
	t.wrote()
	b := &pgx.Batch{}
	t.queueUnsent(b)
	h.queue(b)
	return t.conn.SendBatch(t.ctx, b).Close()
}

// dropCreates forgets the creates t held: its fn failed before they were sent.
func (t *tx) dropCreates() {
	if t.creates != nil {
		t.creates.drop(t.cmark)
	}
}
