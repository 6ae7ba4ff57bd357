package mpi

import (
	"slices"
	"sync"

	"dsn"
)

// Index is the in-memory blocking index of the MPI: records by blocking key,
// plus name frequencies for the frequency-adjusted weights. It is safe for
// concurrent use; Add takes a write lock, the queries a read lock.
type Index struct {
	mu     sync.RWMutex
	m      *Matcher
	recs   []*prepared // nil once replaced
	byID   map[string]int32
	blocks map[uint64]block
	slots  []slot
	famN   map[string]int32
	givN   map[string]int32
	live   int
	// MaxBlock bounds the block sizes a query walks: a key shared by more
	// records than this (a very common name in one birth year) is skipped,
	// the other keys still find the duplicates. Default 1000.
	MaxBlock int
}

type block struct{ head, n int32 }

type slot struct{ rec, next int32 }

// Match is one candidate of Index.Match with its explained score.
type Match struct {
	ID     string
	Record *Record
	Result Result
}

// NewIndex returns an empty index scoring with m.
func NewIndex(m *Matcher) *Index {
	return &Index{m: m, byID: map[string]int32{}, blocks: map[uint64]block{},
		famN: map[string]int32{}, givN: map[string]int32{}, MaxBlock: 1000}
}

// Matcher returns the model in use.
func (x *Index) Matcher() *Matcher { return x.m }

// Len is the number of live records.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// Add indexes r; a record with the same ID replaces the previous one.
func (x *Index) Add(r Record) error {
	if r.ID == "" {
		return dsn.Errorf("mpi.Index.Add", dsn.KindInvalid, "un enregistrement sans identifiant ne peut être indexé")
	}
	p := prepare(&r)
	keys := blockKeys(p)
	x.mu.Lock()
	defer x.mu.Unlock()
	if old, ok := x.byID[r.ID]; ok {
		x.count(x.recs[old], -1)
		x.recs[old] = nil
		x.live--
	}
	id := int32(len(x.recs))
	x.recs = append(x.recs, p)
	x.byID[r.ID] = id
	x.live++
	x.count(p, 1)
	for _, k := range keys {
		b, ok := x.blocks[k]
		if !ok {
			b.head = -1
		}
		x.slots = append(x.slots, slot{rec: id, next: b.head})
		b.head, b.n = int32(len(x.slots)-1), b.n+1
		x.blocks[k] = b
	}
	return nil
}

// Remove drops the record with this ID (a deleted or merged Patient); its
// postings stay in the blocks but are skipped. It reports whether it was there.
func (x *Index) Remove(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	n, ok := x.byID[id]
	if !ok {
		return false
	}
	x.count(x.recs[n], -1)
	x.recs[n] = nil
	x.live--
	delete(x.byID, id)
	return true
}

func (x *Index) count(p *prepared, d int32) {
	for _, f := range p.family {
		x.famN[f.Full] += d
	}
	if p.given.Full != "" {
		x.givN[p.given.Full] += d
	}
}

func (x *Index) familyFreq(name string) float64 { return x.freq(x.famN[name]) }
func (x *Index) givenFreq(name string) float64  { return x.freq(x.givN[name]) }

// freq is meaningful only on a population large enough to estimate it.
func (x *Index) freq(n int32) float64 {
	if x.live < 1000 {
		return 0
	}
	return float64(n) / float64(x.live)
}

// candidates returns the record numbers sharing a block with p (sorted,
// without duplicates, without p's own ID).
func (x *Index) candidates(p *prepared, selfID string) []int32 {
	var out []int32
	for _, k := range blockKeys(p) {
		b, ok := x.blocks[k]
		if !ok || int(b.n) > x.MaxBlock {
			continue
		}
		for s := b.head; s >= 0; s = x.slots[s].next {
			r := x.slots[s].rec
			if q := x.recs[r]; q != nil && q.rec.ID != selfID {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Candidates returns the IDs of the indexed records sharing a blocking key with r.
func (x *Index) Candidates(r Record) []string {
	p := prepare(&r)
	x.mu.RLock()
	defer x.mu.RUnlock()
	var ids []string
	for _, c := range x.candidates(p, r.ID) {
		ids = append(ids, x.recs[c].rec.ID)
	}
	return ids
}

// Match scores r against its candidates and returns the n best, highest
// total first, each with its per-field explanation.
func (x *Index) Match(r Record, n int) []Match {
	p := prepare(&r)
	x.mu.RLock()
	defer x.mu.RUnlock()
	type scored struct {
		rec   int32
		total float64
		l     Levels
	}
	var all []scored
	for _, c := range x.candidates(p, r.ID) {
		q := x.recs[c]
		l := compareAll(p, q)
		all = append(all, scored{c, x.m.total(p, q, l, x), l})
	}
	slices.SortFunc(all, func(a, b scored) int {
		switch {
		case a.total > b.total:
			return -1
		case a.total < b.total:
			return 1
		}
		return 0
	})
	if len(all) > n {
		all = all[:n]
	}
	out := make([]Match, len(all))
	for i, s := range all {
		q := x.recs[s.rec]
		out[i] = Match{ID: q.rec.ID, Record: q.rec, Result: x.m.explain(p, q, s.l, x)}
	}
	return out
}

// Compare scores r against the indexed record id (false if id is not
// indexed), with population frequencies, as Match would.
func (x *Index) Compare(r Record, id string) (Result, bool) {
	p := prepare(&r)
	x.mu.RLock()
	defer x.mu.RUnlock()
	n, ok := x.byID[id]
	if !ok {
		return Result{}, false
	}
	q := x.recs[n]
	return x.m.explain(p, q, compareAll(p, q), x), true
}

// ComparePair scores two indexed records (false if either is not indexed).
func (x *Index) ComparePair(a, b string) (Result, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok1 := x.byID[a]
	j, ok2 := x.byID[b]
	if !ok1 || !ok2 {
		return Result{}, false
	}
	p, q := x.recs[i], x.recs[j]
	return x.m.explain(p, q, compareAll(p, q), x), true
}
