package sqlstore

import (
	"slices"
	"strings"

	"dsn"
)

// Shared rows. Several R4 search parameters of one type index the same values:
// Observation's combo-code repeats code and each component's code (its
// expression is `Observation.code | Observation.component.code`), patient
// repeats subject when the subject is a Patient, name and phonetic repeat
// family and given, address repeats address-city, -state, -postalcode and
// -country, telecom repeats phone and email. Stored one row per parameter,
// an Observation had 11 index rows of which 4 were copies, a Patient 25 of
// which 9 — and each row is two B-tree inserts, most into a random page that
// the COMMIT writes to the WAL (docs/benchmarks.md, session 7).
//
// So a row that parameters of one group share is stored once, under the
// group's name (its parameters joined by "+", e.g. "family+name+phonetic"),
// and a search on a parameter reads its own rows and those of every group it
// belongs to (ParamNames). Sharing is an encoding, not a claim about the
// definitions: a group row is written only when every parameter of the group
// has that very row, so the answer is the same for every resource type and
// whether or not the row was shared (rows written before sharing existed,
// or by a writer that does not share, stay plain and are still read).
// Decision 0018. A group may be added at any time; removing one would hide
// its rows from searches until `dsn reindex` rewrote them.
var sharedGroups = [][]string{
	{"family", "name", "phonetic"},
	{"given", "name", "phonetic"},
	{"name", "phonetic"},
	{"address", "address-city"},
	{"address", "address-state"},
	{"address", "address-postalcode"},
	{"address", "address-country"},
	{"phone", "telecom"},
	{"email", "telecom"},
	{"patient", "subject"},
	// Encounter's practitioner is participant.individual where it is a
	// Practitioner (one row per synthetic Encounter, session 7)
	{"participant", "practitioner"},
	{"code", "combo-code"},
	{"value-quantity", "combo-value-quantity"},
	{"value-concept", "combo-value-concept"},
	{"data-absent-reason", "combo-data-absent-reason"},
	{"code-value-quantity", "combo-code-value-quantity"},
	{"code-value-concept", "combo-code-value-concept"},
	// combo-* is also Observation.component.*: a component's rows repeat
	// under combo-* (12 % of an Observation's index rows in synthetic data,
	// docs/benchmarks.md session 7 — footprint)
	{"component-code", "combo-code"},
	{"component-value-quantity", "combo-value-quantity"},
	{"component-value-concept", "combo-value-concept"},
	{"component-data-absent-reason", "combo-data-absent-reason"},
	{"component-code-value-quantity", "combo-code-value-quantity"},
	{"component-code-value-concept", "combo-code-value-concept"},
}

// paramNames maps a parameter to the names its rows are stored under: its
// own first, then every group it belongs to. inGroup holds every parameter
// of some group.
var paramNames, inGroup = func() (map[string][]string, map[string]bool) {
	names, in := map[string][]string{}, map[string]bool{}
	for _, g := range sharedGroups {
		for _, p := range g {
			if names[p] == nil {
				names[p] = []string{p}
			}
			names[p] = append(names[p], strings.Join(g, "+"))
			in[p] = true
		}
	}
	return names, in
}()

// ParamNames returns the param values of the rows a search on parameter p
// reads: p itself and the groups that share rows with it.
func ParamNames(p string) []string {
	if n := paramNames[p]; n != nil {
		return n
	}
	return []string{p}
}

// maxShared bounds the keys of one kind compared pairwise: past it (a
// resource with hundreds of names or codings) rows are stored plain, which
// is always correct.
const maxShared = 64

// Share returns ix with the rows that a group of parameters shares stored
// once under the group's name (see sharedGroups). ix itself is not changed;
// when nothing is shared it is returned as is.
func Share(ix *dsn.Index) *dsn.Index {
	out := *ix
	var t, s, r, q, c bool
	out.Tokens, t = shareKeys(ix.Tokens, func(k *dsn.TokenKey) *string { return &k.Param }, func(a, b *dsn.TokenKey) bool {
		return a.System == b.System && a.Code == b.Code && a.Text == b.Text
	})
	out.Strings, s = shareKeys(ix.Strings, func(k *dsn.StringKey) *string { return &k.Param }, func(a, b *dsn.StringKey) bool {
		return a.Norm == b.Norm && a.Exact == b.Exact
	})
	out.References, r = shareKeys(ix.References, func(k *dsn.RefKey) *string { return &k.Param }, func(a, b *dsn.RefKey) bool {
		return a.Type == b.Type && a.ID == b.ID && a.URL == b.URL
	})
	out.Quantities, q = shareKeys(ix.Quantities, func(k *dsn.QuantityKey) *string { return &k.Param }, func(a, b *dsn.QuantityKey) bool {
		return a.Value == b.Value && a.System == b.System && a.Code == b.Code && a.Unit == b.Unit && a.Low == b.Low && a.High == b.High
	})
	out.Composites, c = shareKeys(ix.Composites, func(k *dsn.CompositeKey) *string { return &k.Param }, sameComposite)
	if !t && !s && !r && !q && !c {
		return ix
	}
	return &out
}

// sameComposite tells whether two composite keys are stored as the same row
// (their component parameters' codes are not stored).
func sameComposite(a, b *dsn.CompositeKey) bool {
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

// shareKeys merges the keys of one kind that a group of parameters shares
// into one key named after the group. param gives a key's parameter, same
// compares everything else. merged reports whether it merged anything (the
// result is then a new slice; keys is never changed).
func shareKeys[K any](keys []K, param func(*K) *string, same func(a, b *K) bool) (_ []K, merged bool) {
	n := 0
	for i := range keys {
		if inGroup[*param(&keys[i])] {
			n++
		}
	}
	if n < 2 || n > maxShared {
		return keys, false
	}
	var out []K
	used := make([]bool, len(keys))
	for i := range keys {
		if used[i] || !inGroup[*param(&keys[i])] {
			continue
		}
		// the keys equal to keys[i] under a grouped parameter
		idx := []int{i}
		for j := i + 1; j < len(keys); j++ {
			if !used[j] && inGroup[*param(&keys[j])] && same(&keys[i], &keys[j]) {
				idx = append(idx, j)
			}
		}
		for len(idx) > 1 {
			g := bestGroup(idx, func(k int) string { return *param(&keys[k]) })
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

// bestGroup returns the largest group whose every parameter is among the
// keys idx (by their parameter), or nil (the first of equal size wins).
func bestGroup(idx []int, param func(int) string) []string {
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
