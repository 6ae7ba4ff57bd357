package synth

import (
	"runtime"
	"slices"
	"sync"
)

// RAMQ never gives one NAM to two people: when two have the same letters,
// birth date and sex, the differentiator (11th character) tells them apart
// (quebec.md §1.1). Person(i) depends only on i, so no person can see the
// others while it is generated; instead, the first Person call runs a pass
// over every person's identity (names, birth date, sex and the drawn
// differentiator — the cheap first part of newPerson), groups people whose NAM
// would start alike, and gives each later member of a group the first
// differentiator its elders do not hold. The pass is deterministic (groups in
// index order) and changes only the NAMs that collided, so every other byte of
// the output stays as it was.

// diffAlphabet is RAMQ's differentiator set, in order: 1–9, A–H, J–N, P–Z.
const diffAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// namPass holds the outcome of the pass: person index → differentiator to use.
type namPass struct {
	once sync.Once
	fix  map[int]byte
}

// namKey is one person's NAM without its differentiator and check digit.
type namKey struct {
	prefix [10]byte
	idx    int32
	diff   byte
}

// uniqueDiff returns the differentiator of person i: drawn, unless the pass
// had to change it.
func (g *Generator) uniqueDiff(i int, drawn byte) byte {
	g.nams.once.Do(g.runNAMPass)
	if d, ok := g.nams.fix[i]; ok {
		return d
	}
	return drawn
}

func (g *Generator) runNAMPass() {
	n := g.opt.Patients
	keys := make([]namKey, n)
	has := make([]bool, n)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				p := g.identity(newRNG(g.opt.Seed, uint64(i)), i, false)
				if len(p.nam) == 12 {
					copy(keys[i].prefix[:], p.nam[:10])
					keys[i].idx, keys[i].diff, has[i] = int32(i), p.nam[10], true
				}
			}
		}(w)
	}
	wg.Wait()
	keys = slices.DeleteFunc(keys, func(k namKey) bool { return !has[k.idx] || k.prefix == [10]byte{} })
	slices.SortFunc(keys, func(a, b namKey) int {
		if c := slices.Compare(a.prefix[:], b.prefix[:]); c != 0 {
			return c
		}
		return int(a.idx - b.idx)
	})
	g.nams.fix = map[int]byte{}
	for start := 0; start < len(keys); {
		end := start + 1
		for end < len(keys) && keys[end].prefix == keys[start].prefix {
			end++
		}
		if end-start > 1 {
			g.separate(keys[start:end])
		}
		start = end
	}
}

// separate gives the members of one group (index order) distinct differentiators.
func (g *Generator) separate(group []namKey) {
	used := map[byte]bool{}
	for _, k := range group {
		d := k.diff
		if used[d] {
			for i := 0; i < len(diffAlphabet); i++ {
				if !used[diffAlphabet[i]] {
					d = diffAlphabet[i]
					break
				}
			}
			g.nams.fix[int(k.idx)] = d
		}
		used[d] = true
	}
}
