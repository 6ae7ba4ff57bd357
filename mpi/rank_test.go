package mpi

import (
	"fmt"
	"slices"
	"testing"
)

// MatchRanked prunes candidates that cannot reach the n best: its totals
// must be exactly those of scoring every candidate in full, and Match's
// explanations those of Compare.
func TestMatchRankedIsFullScoring(t *testing.T) {
	g := genPopulation(4000, 11)
	m, _ := NewMatcher(DefaultConfig())
	x := NewIndex(m)
	for _, r := range g.records {
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	rng := rngFor(3)
	pruned := 0
	for i := 0; i < 400; i++ {
		q := g.persons[rng.IntN(len(g.persons))].record(fmt.Sprint("q", i), 1, rng)
		if i%3 == 0 {
			q.NAM = ""
		}
		p := prepare(&q)
		var full []float64
		for _, c := range x.candidates(p, q.ID) {
			full = append(full, m.total(p, x.recs[c], compareAll(p, x.recs[c]), x))
		}
		slices.SortFunc(full, func(a, b float64) int { return -cmpFloat(a, b) })
		for _, n := range []int{1, 4, 10, 40} {
			want := full[:min(n, len(full))]
			got := x.MatchRanked(q, n)
			var totals []float64
			for _, c := range got {
				totals = append(totals, c.Result.Total)
				if c.Result.Fields != nil {
					t.Fatal("MatchRanked explained a candidate")
				}
			}
			if !slices.Equal(totals, want) {
				t.Fatalf("query %d, n=%d: ranked %v, full scoring %v", i, n, totals, want)
			}
			if len(full) > n {
				pruned++
			}
		}
		for _, c := range x.Match(q, 10) {
			want, _ := x.Compare(q, c.ID)
			if fmt.Sprint(c.Result) != fmt.Sprint(want) {
				t.Fatalf("Match explained %v, Compare %v", c.Result, want)
			}
		}
	}
	if pruned < 100 {
		t.Fatalf("only %d queries had more candidates than asked: the test does not exercise the pruning", pruned)
	}
	if x.MatchRanked(g.records[0], 0) != nil {
		t.Fatal("n=0 returns candidates")
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
