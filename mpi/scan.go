package mpi

import (
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Pair is one possible duplicate found by a full scan.
type Pair struct {
	A, B  string // record IDs, A < B
	Total float64
	Class Class
	// Protected is true when a protective rule (twins, parent/child, two
	// NAMs…) kept the pair out of the automatic links.
	Protected bool
}

// Pairs scans the whole index for duplicates: every record against its
// candidates, each pair scored once, keeping those whose total reaches
// threshold (use the model's Probable threshold for a review worklist).
// It uses every CPU; the result is sorted by decreasing total.
func (x *Index) Pairs(threshold float64) []Pair {
	x.mu.RLock()
	defer x.mu.RUnlock()
	workers := runtime.GOMAXPROCS(0)
	results := make([][]Pair, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(x.recs); i += workers {
				results[w] = x.scanOne(int32(i), threshold, results[w])
			}
		}(w)
	}
	wg.Wait()
	var out []Pair
	for _, r := range results {
		out = append(out, r...)
	}
	slices.SortFunc(out, func(a, b Pair) int {
		switch {
		case a.Total > b.Total:
			return -1
		case a.Total < b.Total:
			return 1
		}
		return strings.Compare(a.A+" "+a.B, b.A+" "+b.B)
	})
	return out
}

// scanOne scores record i against its candidates with a higher record number,
// so that each pair is scored once.
func (x *Index) scanOne(i int32, threshold float64, out []Pair) []Pair {
	p := &x.recs[i]
	if p.text == "" {
		return out
	}
	bound := x.m.boundsFor(p)
	for _, c := range x.candidates(p, p.s(p.id)) {
		if c <= i {
			continue
		}
		q := &x.recs[c]
		l, ok := x.m.compareAbove(p, q, threshold, bound)
		if !ok {
			continue
		}
		t := x.m.total(p, q, l, x)
		if t < threshold {
			continue
		}
		cls, rules := x.m.classify(p, q, l, t)
		a, b := p.s(p.id), q.s(q.id)
		if b < a {
			a, b = b, a
		}
		out = append(out, Pair{A: a, B: b, Total: t, Class: cls, Protected: len(rules) > 0})
	}
	return out
}
