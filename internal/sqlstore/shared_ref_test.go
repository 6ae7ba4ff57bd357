package sqlstore

import (
	"slices"
	"strings"

	"dsn"
)

// shareRef is Share as session 7 wrote it (decision 0018), kept as the
// reference that TestShareMatchesReference compares the faster Share with:
// any difference in the rows it gives fails.

var inGroupRef = func() map[string]bool {
	in := map[string]bool{}
	for _, g := range sharedGroups {
		for _, p := range g {
			in[p] = true
		}
	}
	return in
}()

// maxSharedRef bounds the keys of one kind compared pairwise: past it (a
// resource with hundreds of names or codings) rows are stored plain, which
// is always correct.
const maxSharedRef = 64

// shareRef returns ix with the rows that a group of parameters shares stored
// once under the group's name (see sharedGroups). ix itself is not changed;
// when nothing is shared it is returned as is.
func shareRef(ix *dsn.Index) *dsn.Index {
	out := *ix
	var t, s, r, q, c bool
	out.Tokens, t = shareKeysRef(ix.Tokens, func(k *dsn.TokenKey) *string { return &k.Param }, func(a, b *dsn.TokenKey) bool {
		return a.System == b.System && a.Code == b.Code && a.Text == b.Text
	})
	out.Strings, s = shareKeysRef(ix.Strings, func(k *dsn.StringKey) *string { return &k.Param }, func(a, b *dsn.StringKey) bool {
		return a.Norm == b.Norm && a.Exact == b.Exact
	})
	out.References, r = shareKeysRef(ix.References, func(k *dsn.RefKey) *string { return &k.Param }, func(a, b *dsn.RefKey) bool {
		return a.Type == b.Type && a.ID == b.ID && a.URL == b.URL
	})
	out.Quantities, q = shareKeysRef(ix.Quantities, func(k *dsn.QuantityKey) *string { return &k.Param }, func(a, b *dsn.QuantityKey) bool {
		return a.Value == b.Value && a.System == b.System && a.Code == b.Code && a.Unit == b.Unit && a.Low == b.Low && a.High == b.High
	})
	out.Composites, c = shareKeysRef(ix.Composites, func(k *dsn.CompositeKey) *string { return &k.Param }, sameCompositeRef)
	if !t && !s && !r && !q && !c {
		return ix
	}
	return &out
}

// sameCompositeRef tells whether two composite keys are stored as the same row
// (their component parameters' codes are not stored).
func sameCompositeRef(a, b *dsn.CompositeKey) bool {
	x, y := CompositeArgs(*a), CompositeArgs(*b)
	if x == nil || y == nil || len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// shareKeysRef merges the keys of one kind that a group of parameters shares
// into one key named after the group. param gives a key's parameter, same
// compares everything else. merged reports whether it merged anything (the
// result is then a new slice; keys is never changed).
func shareKeysRef[K any](keys []K, param func(*K) *string, same func(a, b *K) bool) (_ []K, merged bool) {
	n := 0
	for i := range keys {
		if inGroupRef[*param(&keys[i])] {
			n++
		}
	}
	if n < 2 || n > maxSharedRef {
		return keys, false
	}
	var out []K
	used := make([]bool, len(keys))
	for i := range keys {
		if used[i] || !inGroupRef[*param(&keys[i])] {
			continue
		}
		// the keys equal to keys[i] under a grouped parameter
		idx := []int{i}
		for j := i + 1; j < len(keys); j++ {
			if !used[j] && inGroupRef[*param(&keys[j])] && same(&keys[i], &keys[j]) {
				idx = append(idx, j)
			}
		}
		for len(idx) > 1 {
			g := bestGroupRef(idx, func(k int) string { return *param(&keys[k]) })
			if g == nil {
				break
			}
			if out == nil {
				out = make([]K, 0, len(keys))
			}
			k := keys[idx[0]]
			*param(&k) = strings.Join(g, "+")
			out = append(out, k)
			rest := idx[:0]
			for _, x := range idx {
				if slices.Contains(g, *param(&keys[x])) {
					used[x] = true
				} else {
					rest = append(rest, x)
				}
			}
			idx = rest
		}
	}
	if out == nil {
		return keys, false
	}
	for i := range keys {
		if !used[i] {
			out = append(out, keys[i])
		}
	}
	return out, true
}

// bestGroupRef returns the largest group whose every parameter is among the
// keys idx (by their parameter), or nil (the first of equal size wins).
func bestGroupRef(idx []int, param func(int) string) []string {
	var best []string
	for _, g := range sharedGroups {
		if len(g) <= len(best) {
			continue
		}
		all := true
		for _, p := range g {
			all = all && slices.ContainsFunc(idx, func(x int) bool { return param(x) == p })
		}
		if all {
			best = g
		}
	}
	return best
}
