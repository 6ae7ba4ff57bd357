package fhirpath

import "sort"

// sort([key...]) (FHIRPath 2.1): a stable sort by System values; a key written
// with a unary minus sorts descending, empty keys sort last (first descending).

func fnSort(c *evalCtx, in Collection, a []expr) (Collection, error) {
	items := make([]sortKey, len(in))
	desc := make([]bool, max(len(a), 1))
	for k := range a {
		if u, ok := a[k].(*unaryExpr); ok && u.neg {
			desc[k] = true
		}
	}
	err := c.each(in, func(i int, it any) error {
		items[i].item = it
		if len(a) == 0 {
			items[i].keys = []any{c.system(it)}
			return nil
		}
		for _, e := range a {
			if u, ok := e.(*unaryExpr); ok && u.neg {
				e = u.x
			}
			v, err := e.eval(c)
			if err != nil {
				return err
			}
			s, err := c.singleton(v, "sort()")
			if err != nil {
				return err
			}
			items[i].keys = append(items[i].keys, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := sortItems(c, items, desc); err != nil {
		return nil, err
	}
	out := make(Collection, len(items))
	for i := range items {
		out[i] = items[i].item
	}
	return out, nil
}

// sortItems orders a collection by System value (for sort()).
func sortItems(c *evalCtx, items []sortKey, desc []bool) error {
	var err error
	sort.SliceStable(items, func(i, j int) bool {
		for k := range items[i].keys {
			a, b := items[i].keys[k], items[j].keys[k]
			if a == nil || b == nil {
				if (a == nil) != (b == nil) {
					return (a == nil) == desc[k] // empty sorts last, first when descending
				}
				continue
			}
			n, ok, e := compare(a, b)
			if e != nil && err == nil {
				err = e
			}
			if !ok || n == 0 {
				continue
			}
			return (n < 0) != desc[k]
		}
		return false
	})
	return err
}

type sortKey struct {
	item any
	keys []any
}
