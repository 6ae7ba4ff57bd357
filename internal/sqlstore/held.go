package sqlstore

import "dsn"

// Held is the PutAlls of a group commit's fns held back to reach the
// database as one PutAll, in fn order (both adapters' bulkmerge.go: the
// why, and when they are sent).
type Held struct {
	ws  []dsn.Write
	ids map[dsn.ResourceKey]struct{}
}

// Len is how many versions are held; a fn's own begin at Len when it starts.
func (h *Held) Len() int { return len(h.ws) }

// Repeats tells whether ws names a resource already held: the held versions
// must then be sent first (ws's version follows theirs).
func (h *Held) Repeats(ws []dsn.Write) bool {
	for _, w := range ws {
		if _, ok := h.ids[dsn.ResourceKey{Type: w.Type, ID: w.ID}]; ok {
			return true
		}
	}
	return false
}

// Add holds ws after the others.
func (h *Held) Add(ws []dsn.Write) {
	if h.ids == nil {
		h.ids = map[dsn.ResourceKey]struct{}{}
	}
	for _, w := range ws {
		h.ids[dsn.ResourceKey{Type: w.Type, ID: w.ID}] = struct{}{}
	}
	h.ws = append(h.ws, ws...)
}

// Take returns the held versions, to send, and holds none.
func (h *Held) Take() []dsn.Write {
	ws := h.ws
	h.ws = nil
	clear(h.ids)
	return ws
}

// Drop removes the versions held from index from on (a failed fn's own).
func (h *Held) Drop(from int) {
	for _, w := range h.ws[from:] {
		delete(h.ids, dsn.ResourceKey{Type: w.Type, ID: w.ID})
	}
	h.ws = h.ws[:from]
}
