package mpi

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"dsn"
)

// Index is the in-memory blocking index of the MPI: records by blocking key,
// plus name frequencies for the frequency-adjusted weights. It is safe for
// concurrent use; Add takes a write lock, the queries a read lock.
type Index struct {
	mu     sync.RWMutex
	m      *Matcher
	recs   []prepared // zero (empty text) once replaced or removed: pointer-light, see prepared
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
	Result Result
	// what Index.Explain needs: the prepared pair and its levels
	p *prepared
	q prepared
	l Levels
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
		x.count(&x.recs[old], -1)
		x.recs[old] = prepared{}
		x.live--
	}
	id := int32(len(x.recs))
	x.recs = append(x.recs, *p)
	if _, ok := x.byID[r.ID]; ok {
		x.byID[r.ID] = id // the key in the map stays the first one
	} else {
		x.byID[strings.Clone(r.ID)] = id // not a substring of the caller's document
	}
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
	x.count(&x.recs[n], -1)
	x.recs[n] = prepared{}
	x.live--
	delete(x.byID, id)
	return true
}

func (x *Index) count(p *prepared, d int32) {
	for l := p.s(p.famFull); l != ""; {
		var f string
		f, l = next(l)
		addCount(x.famN, f, d)
	}
	if g := p.s(p.given); g != "" {
		addCount(x.givN, g, d)
	}
}

// addCount adds d to m[k], the key copied when new (so that the map does
// not keep a record's whole text alive).
func addCount(m map[string]int32, k string, d int32) {
	if _, ok := m[k]; !ok {
		k = strings.Clone(k)
	}
	m[k] += d
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
	out := x.postings(p, selfID)
	slices.Sort(out)
	return slices.Compact(out)
}

// postings lists the record numbers in p's blocks, once per shared key.
func (x *Index) postings(p *prepared, selfID string) []int32 {
	var out []int32
	for _, k := range blockKeys(p) {
		b, ok := x.blocks[k]
		if !ok || int(b.n) > x.MaxBlock {
			continue
		}
		for s := b.head; s >= 0; s = x.slots[s].next {
			r := x.slots[s].rec
			if q := &x.recs[r]; q.text != "" && q.s(q.id) != selfID {
				out = append(out, r)
			}
		}
	}
	return out
}

// Candidates returns the IDs of the indexed records sharing a blocking key with r.
func (x *Index) Candidates(r Record) []string {
	p := prepare(&r)
	x.mu.RLock()
	defer x.mu.RUnlock()
	var ids []string
	for _, c := range x.candidates(p, r.ID) {
		q := &x.recs[c]
		ids = append(ids, q.s(q.id))
	}
	return ids
}

// Match scores r against its candidates and returns the n best, highest
// total first, each with its per-field explanation.
func (x *Index) Match(r Record, n int) []Match {
	ms := x.MatchRanked(r, n)
	for i := range ms {
		x.Explain(&ms[i])
	}
	return ms
}

// MatchRanked is Match without the per-field explanation: each candidate's
// Result has its Total, Class and protective Rules, and Fields is nil until
// Explain fills it. The explanation costs more than the score; a caller
// showing only some candidates explains only those.
func (x *Index) MatchRanked(r Record, n int) []Match {
	if n <= 0 {
		return nil
	}
	return x.matchRanked(prepare(&r), r.ID, n)
}

// matchRanked is MatchRanked of the prepared query p (of record selfID).
func (x *Index) matchRanked(p *prepared, selfID string, n int) []Match {
	x.mu.RLock()
	defer x.mu.RUnlock()
	top := x.best(p, selfID, n)
	out := make([]Match, len(top))
	for i, s := range top {
		q := &x.recs[s.rec]
		res := Result{Total: s.total}
		res.Class, res.Rules = x.m.classify(p, q, s.l, s.total)
		out[i] = Match{ID: q.s(q.id), Result: res, p: p, q: *q, l: s.l}
	}
	return out
}

// Explain fills m.Result.Fields, the per-field explanation of a candidate
// from MatchRanked (the total and class stay as ranked).
func (x *Index) Explain(m *Match) {
	if m.p == nil || m.Result.Fields != nil {
		return
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	m.Result.Fields = x.m.fields(m.p, &m.q, m.l, x)
}

// scored is a candidate's record number, total and levels.
type scored struct {
	rec   int32
	total float64
	l     Levels
}

// best returns the n candidates of p with the highest totals, highest
// first. It keeps them in a min-heap; once n are held, a candidate is
// compared field by field only while it can still beat the n-th best
// (Matcher.compareAbove: the weights still to come bound what it can gain),
// so most candidates of a big block stop after the birth date and sex.
// Candidates sharing the most blocking keys are scored first: they are the
// likeliest matches and raise the bar early. The result is the one full
// scoring would give (ties at the n-th place aside).
func (x *Index) best(p *prepared, selfID string, n int) []scored {
	top := make([]scored, 0, n)
	bound := x.m.boundsFor(p)
	for _, c := range x.rankedCandidates(p, selfID) {
		q := &x.recs[c]
		var l Levels
		if len(top) == n {
			var ok bool
			if l, ok = x.m.compareAbove(p, q, top[0].total, bound); !ok {
				continue
			}
		} else {
			l = compareAll(p, q)
		}
		t := x.m.total(p, q, l, x)
		switch {
		case len(top) < n:
			top = append(top, scored{c, t, l})
			siftUp(top, len(top)-1)
		case t > top[0].total:
			top[0] = scored{c, t, l}
			siftDown(top, 0)
		}
	}
	slices.SortFunc(top, func(a, b scored) int { return cmp.Compare(b.total, a.total) })
	return top
}

// siftUp and siftDown keep h a min-heap on total.
func siftUp(h []scored, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].total <= h[i].total {
			return
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func siftDown(h []scored, i int) {
	for {
		small, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].total < h[small].total {
			small = l
		}
		if r < len(h) && h[r].total < h[small].total {
			small = r
		}
		if small == i {
			return
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}

// rankedCandidates is candidates ordered by the number of blocking keys
// shared with p, most first (then by record number).
func (x *Index) rankedCandidates(p *prepared, selfID string) []int32 {
	all := x.postings(p, selfID)
	slices.Sort(all)
	type counted struct{ rec, n int32 }
	cs := make([]counted, 0, len(all))
	for i := 0; i < len(all); {
		k := i
		for k < len(all) && all[k] == all[i] {
			k++
		}
		cs = append(cs, counted{all[i], int32(k - i)})
		i = k
	}
	slices.SortStableFunc(cs, func(a, b counted) int { return cmp.Compare(b.n, a.n) })
	out := all[:len(cs)]
	for i, c := range cs {
		out[i] = c.rec
	}
	return out
}

// record returns a copy of the prepared record of id (false if id is not
// indexed). The copy shares the record's text, which is never changed.
func (x *Index) record(id string) (prepared, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n, ok := x.byID[id]
	if !ok {
		return prepared{}, false
	}
	return x.recs[n], true
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
	q := &x.recs[n]
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
	p, q := &x.recs[i], &x.recs[j]
	return x.m.explain(p, q, compareAll(p, q), x), true
}
