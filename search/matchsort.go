package search

import (
	"cmp"
	"slices"
	"time"

	"dsn"
	"dsn/fhir"
)

// sortKey is one resource's value for one _sort key: a time, a number or a
// text (only the one matching the parameter type is set); has is false when
// the resource has no value (it then sorts last, in both directions).
type sortKey struct {
	has  bool
	t    time.Time
	f    float64
	text string
}

// sortResults orders matches by q.Sort (search.html#sort): ascending uses a
// resource's lowest value of the parameter, descending its highest; ties fall
// to the next key, then to the Set's order.
func (s *Set) sortResults(out []fhir.Object, keys []dsn.SortKey) {
	if len(keys) == 0 {
		return
	}
	vals := make([][]sortKey, len(out))
	for i := range out {
		for _, k := range keys {
			vals[i] = append(vals[i], s.sortValue(out[i], k))
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		for j, k := range keys {
			if c := compareKeys(vals[a][j], vals[b][j], k.Desc); c != 0 {
				return c
			}
		}
		return 0
	})
	sorted := make([]fhir.Object, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	copy(out, sorted)
}

func compareKeys(a, b sortKey, desc bool) int {
	switch {
	case !a.has || !b.has:
		return cmp.Compare(boolInt(!a.has), boolInt(!b.has)) // missing values last
	}
	c := a.t.Compare(b.t)
	if c == 0 {
		c = cmp.Compare(a.f, b.f)
	}
	if c == 0 {
		c = cmp.Compare(a.text, b.text)
	}
	if desc {
		return -c
	}
	return c
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortValue is the lowest (ascending) or highest (descending) value of a
// resource for one sort key.
func (s *Set) sortValue(o fhir.Object, k dsn.SortKey) sortKey {
	var cands []sortKey
	switch k.Param {
	case "_id":
		cands = append(cands, sortKey{has: true, text: fhir.ID(o)})
	case "_lastUpdated":
		meta, _ := o["meta"].(map[string]any)
		if lo, _, ok := DateRange(str(meta, "lastUpdated")); ok {
			cands = append(cands, sortKey{has: true, t: lo})
		}
	default:
		ix, _, _ := s.values(o, k.Param)
		for _, r := range ix.Dates {
			t := r.Low
			if k.Desc {
				t = r.High
			}
			cands = append(cands, sortKey{has: true, t: t})
		}
		for _, r := range ix.Strings {
			cands = append(cands, sortKey{has: true, text: r.Norm})
		}
		for _, r := range ix.Tokens {
			cands = append(cands, sortKey{has: true, text: r.Code})
		}
		for _, r := range ix.Numbers {
			cands = append(cands, sortKey{has: true, f: r.Value})
		}
		for _, r := range ix.Quantities {
			cands = append(cands, sortKey{has: true, f: r.Value})
		}
		for _, r := range ix.References {
			cands = append(cands, sortKey{has: true, text: r.Type + "/" + r.ID + r.URL})
		}
		for _, r := range ix.URIs {
			cands = append(cands, sortKey{has: true, text: r.URI})
		}
	}
	if len(cands) == 0 {
		return sortKey{}
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if d := compareKeys(c, best, false); k.Desc && d > 0 || !k.Desc && d < 0 {
			best = c
		}
	}
	return best
}
