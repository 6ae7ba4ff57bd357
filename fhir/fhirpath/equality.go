package fhirpath

import (
	"encoding/json"
	"sort"
	"strings"
)

// equalityOp implements = != ~ !~ on collections (N1 §Equality).
func equalityOp(op string) func(c *evalCtx, l, r Collection) (Collection, error) {
	return func(c *evalCtx, l, r Collection) (Collection, error) {
		var t tribool
		switch op {
		case "=", "!=":
			if len(l) == 0 || len(r) == 0 {
				return nil, nil
			}
			t = c.equalColl(l, r)
		default:
			t = tb(c.equivalentColl(l, r))
		}
		if op == "!=" || op == "!~" {
			switch t {
			case bTrue:
				t = bFalse
			case bFalse:
				t = bTrue
			}
		}
		return tri(t), nil
	}
}

func (c *evalCtx) equalColl(l, r Collection) tribool {
	if len(l) != len(r) {
		return bFalse
	}
	res := bTrue
	for i := range l {
		switch c.equalItems(l[i], r[i]) {
		case bFalse:
			return bFalse
		case bEmpty:
			res = bEmpty
		}
	}
	return res
}

// equalItems compares two items with = semantics: empty when dates of
// different precisions cannot be decided.
func (c *evalCtx) equalItems(a, b any) tribool {
	na, aNode := a.(*Node)
	nb, bNode := b.(*Node)
	if aNode && bNode && !na.isPrimitive() && !nb.isPrimitive() {
		return tb(deepEqual(na.Value, nb.Value, false))
	}
	x, y := c.system(a), c.system(b)
	if _, ok := x.(*Node); ok {
		return bFalse
	}
	if _, ok := y.(*Node); ok {
		return bFalse
	}
	switch xv := x.(type) {
	case bool:
		yv, ok := y.(bool)
		return tb(ok && xv == yv)
	case string:
		if yv, ok := y.(string); ok {
			return tb(xv == yv)
		}
	case Quantity:
		if yv, ok := y.(Quantity); ok {
			n, ok := compareQuantity(xv, yv)
			if !ok {
				return bEmpty
			}
			return tb(n == 0)
		}
		return bFalse
	}
	n, ok, err := compare(x, y)
	if err != nil {
		return bFalse
	}
	if !ok {
		if xd, isDT := x.(DateTime); isDT {
			if yd, ok := y.(DateTime); ok && xd.Kind != yd.Kind && (xd.Kind == KindTime || yd.Kind == KindTime) {
				return bFalse
			}
		}
		return bEmpty
	}
	return tb(n == 0)
}

// equivalentColl is ~ on collections: same size, every item equivalent to
// some item of the other, order ignored; two empty collections are equivalent.
func (c *evalCtx) equivalentColl(l, r Collection) bool {
	if len(l) != len(r) {
		return false
	}
	used := make([]bool, len(r))
outer:
	for _, a := range l {
		for j, b := range r {
			if !used[j] && c.equivalentItems(a, b) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

// equivalentItems: strings ignore case and collapse whitespace, decimals
// compare at the lesser precision, dates of different precision are not
// equivalent (N1 §Equivalence).
func (c *evalCtx) equivalentItems(a, b any) bool {
	na, aNode := a.(*Node)
	nb, bNode := b.(*Node)
	if aNode && bNode && !na.isPrimitive() && !nb.isPrimitive() {
		return deepEqual(na.Value, nb.Value, true)
	}
	x, y := c.system(a), c.system(b)
	switch xv := x.(type) {
	case string:
		yv, ok := y.(string)
		return ok && normSpace(xv) == normSpace(yv)
	case Decimal, int64:
		xd, _ := toDecimal(x)
		yd, ok := toDecimal(y)
		if !ok {
			return false
		}
		s := min(xd.scale, yd.scale)
		return xd.Round(int(s)).Cmp(yd.Round(int(s))) == 0
	case Quantity:
		yv, ok := y.(Quantity)
		if !ok {
			return false
		}
		if n, ok := compareQuantity(xv, yv); ok {
			if n == 0 {
				return true
			}
			va, _, ok1 := xv.canonical()
			vb, _, ok2 := yv.canonical()
			if ok1 && ok2 {
				s := min(xv.Value.scale, yv.Value.scale)
				return va.Round(int(s)).Cmp(vb.Round(int(s))) == 0
			}
		}
		return false
	case DateTime:
		yv, ok := y.(DateTime)
		if !ok {
			return false
		}
		n, ok := compareDT(xv, yv)
		return ok && n == 0
	}
	return c.equalItems(a, b) == bTrue
}

func normSpace(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// deepEqual compares JSON trees; equivalence ignores case in strings and
// element ids (N1 §Equivalence for complex types).
func deepEqual(a, b any, equiv bool) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		kx, ky := keysNoID(x, equiv), keysNoID(y, equiv)
		if len(kx) != len(ky) {
			return false
		}
		for i, k := range kx {
			if k != ky[i] || !deepEqual(x[k], y[k], equiv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i], equiv) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		if equiv {
			return ok && normSpace(x) == normSpace(y)
		}
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		dx, _ := ParseDecimal(string(x))
		dy, _ := ParseDecimal(string(y))
		return dx.Cmp(dy) == 0
	}
	return a == b
}

func keysNoID(m map[string]any, equiv bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if equiv && k == "id" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
