package synth

import (
	"testing"
)

// No two people share a NAM (RAMQ varies the differentiator of homonyms born
// the same day), only the colliding NAMs change, and the result does not
// depend on the order people are generated in.
func TestNAMsUnique(t *testing.T) {
	const n = 20000 // seed 7 at this size draws a few homonyms born the same day
	g := New(Options{Seed: 7, Patients: n})
	owner := map[string]int{}
	changed := 0
	for i := n - 1; i >= 0; i-- { // backwards: the pass must not depend on call order
		p := g.identity(newRNG(7, uint64(i)), i, true)
		if p.nam == "" {
			continue
		}
		if j, ok := owner[p.nam]; ok {
			t.Fatalf("persons %d and %d share NAM %s", i, j, p.nam)
		}
		owner[p.nam] = i
		if drawn := g.identity(newRNG(7, uint64(i)), i, false); drawn.nam != p.nam {
			changed++
			if drawn.nam[:10] != p.nam[:10] {
				t.Fatalf("person %d: NAM %s changed beyond the differentiator (%s)", i, p.nam, drawn.nam)
			}
		}
	}
	if changed == 0 || changed > 50 {
		t.Fatalf("%d NAMs changed; want a few (the collisions of %d people)", changed, n)
	}
	t.Logf("%d people, %d NAMs, %d differentiators changed to keep NAMs unique", n, len(owner), changed)
	if again := New(Options{Seed: 7, Patients: n}).Person(123).NAM; again != g.Person(123).NAM {
		t.Fatalf("Person(123) NAM differs between generators: %s / %s", again, g.Person(123).NAM)
	}
}
