package synth

import (
	"testing"

	"dsn/fhir"
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

// RegistrationsOnly gives exactly the Patient records Person starts with.
func TestRegistrationsOnly(t *testing.T) {
	g := New(Options{Seed: 3, Patients: 200, DuplicateRate: 0.3})
	only := New(Options{Seed: 3, Patients: 200, DuplicateRate: 0.3, RegistrationsOnly: true})
	for i := 0; i < 200; i++ {
		full, regs := g.Person(i), only.Person(i)
		if len(regs.Resources) != len(regs.Truth) || len(regs.Truth) != len(full.Truth) {
			t.Fatalf("person %d: %d registrations, %d truth lines, Person has %d", i, len(regs.Resources), len(regs.Truth), len(full.Truth))
		}
		for k, r := range regs.Resources {
			if a, b := string(fhir.Encode(r)), string(fhir.Encode(full.Resources[k])); a != b {
				t.Fatalf("person %d record %d differs:\n%s\n%s", i, k, a, b)
			}
		}
	}
}
