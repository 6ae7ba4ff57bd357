package fhirpath

import (
	"strings"
)

// binaryExpr applies an operator to its two operand collections.
type binaryExpr struct {
	op   string
	l, r expr
	fn   func(c *evalCtx, l, r Collection) (Collection, error)
}

func (e *binaryExpr) eval(c *evalCtx) (Collection, error) {
	l, err := e.l.eval(c)
	if err != nil {
		return nil, err
	}
	r, err := e.r.eval(c)
	if err != nil {
		return nil, err
	}
	return e.fn(c, l, r)
}

// newBinary binds an operator to its implementation at compile time.
func newBinary(op string, l, r expr) (expr, error) {
	var fn func(c *evalCtx, l, r Collection) (Collection, error)
	switch op {
	case "and", "or", "xor", "implies":
		return &logicExpr{op: op, l: l, r: r}, nil
	case "|":
		fn = func(c *evalCtx, l, r Collection) (Collection, error) { return union(c, l, r), nil }
	case "=", "!=", "~", "!~":
		fn = equalityOp(op)
	case "<", ">", "<=", ">=":
		fn = compareOp(op)
	case "in":
		fn = func(c *evalCtx, l, r Collection) (Collection, error) { return membership(c, l, r) }
	case "contains":
		fn = func(c *evalCtx, l, r Collection) (Collection, error) { return membership(c, r, l) }
	case "&":
		fn = concatOp
	case "+", "-", "*", "/", "div", "mod":
		fn = arithOp(op)
	default:
		return nil, syntaxErr(0, "opérateur inconnu "+op)
	}
	return &binaryExpr{op: op, l: l, r: r, fn: fn}, nil
}

// logicExpr is and/or/xor/implies with three-valued logic (N1 §Boolean logic).
// The right side is evaluated only when it can change the result.
type logicExpr struct {
	op   string
	l, r expr
}

func (e *logicExpr) eval(c *evalCtx) (Collection, error) {
	l, err := c.boolOf(e.l)
	if err != nil {
		return nil, err
	}
	switch {
	case e.op == "and" && l == bFalse:
		return boolColl(false), nil
	case e.op == "or" && l == bTrue:
		return boolColl(true), nil
	case e.op == "implies" && l == bFalse:
		return boolColl(true), nil
	}
	r, err := c.boolOf(e.r)
	if err != nil {
		return nil, err
	}
	return tri(logic(e.op, l, r)), nil
}

type tribool uint8

const (
	bEmpty tribool = iota
	bFalse
	bTrue
)

func logic(op string, l, r tribool) tribool {
	switch op {
	case "and":
		if l == bFalse || r == bFalse {
			return bFalse
		}
		if l == bTrue && r == bTrue {
			return bTrue
		}
	case "or":
		if l == bTrue || r == bTrue {
			return bTrue
		}
		if l == bFalse && r == bFalse {
			return bFalse
		}
	case "xor":
		if l != bEmpty && r != bEmpty {
			return tb(l != r)
		}
	case "implies":
		if l == bFalse || r == bTrue {
			return bTrue
		}
		if l == bTrue {
			return r
		}
	}
	return bEmpty
}

func tb(b bool) tribool {
	if b {
		return bTrue
	}
	return bFalse
}

func tri(t tribool) Collection {
	switch t {
	case bTrue:
		return boolColl(true)
	case bFalse:
		return boolColl(false)
	}
	return nil
}

var trueColl, falseColl = Collection{true}, Collection{false}

// boolColl returns shared one-item collections (callers never modify results).
func boolColl(b bool) Collection {
	if b {
		return trueColl
	}
	return falseColl
}

// boolOf evaluates e as a singleton Boolean (N1 §Singleton evaluation of collections).
func (c *evalCtx) boolOf(e expr) (tribool, error) {
	v, err := e.eval(c)
	if err != nil {
		return bEmpty, err
	}
	return c.toBool(v)
}

func (c *evalCtx) toBool(v Collection) (tribool, error) {
	switch len(v) {
	case 0:
		return bEmpty, nil
	case 1:
		if b, ok := c.system(v[0]).(bool); ok {
			return tb(b), nil
		}
		return bTrue, nil // a single non-Boolean item counts as true
	}
	return bEmpty, evalErr("une collection de %d éléments n'est pas un booléen", len(v))
}

// singleton returns the only item of v as a System value (nil if v is empty).
func (c *evalCtx) singleton(v Collection, what string) (any, error) {
	switch len(v) {
	case 0:
		return nil, nil
	case 1:
		return c.system(v[0]), nil
	}
	return nil, evalErr("%s attend un seul élément, reçu %d", what, len(v))
}

func concatOp(c *evalCtx, l, r Collection) (Collection, error) {
	a, err := c.singleton(l, "&")
	if err != nil {
		return nil, err
	}
	b, err := c.singleton(r, "&")
	if err != nil {
		return nil, err
	}
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if (a != nil && !ok1) || (b != nil && !ok2) {
		return nil, evalErr("& concatène des chaînes")
	}
	return Collection{as + bs}, nil
}

func compareOp(op string) func(c *evalCtx, l, r Collection) (Collection, error) {
	return func(c *evalCtx, l, r Collection) (Collection, error) {
		a, err := c.singleton(l, op)
		if err != nil {
			return nil, err
		}
		b, err := c.singleton(r, op)
		if err != nil || a == nil || b == nil {
			return nil, err
		}
		n, ok, err := compare(a, b)
		if err != nil || !ok {
			return nil, err
		}
		switch op {
		case "<":
			return boolColl(n < 0), nil
		case ">":
			return boolColl(n > 0), nil
		case "<=":
			return boolColl(n <= 0), nil
		}
		return boolColl(n >= 0), nil
	}
}

// compare orders two System values; ok=false when the result is unknown
// (different date precisions, incomparable units).
func compare(a, b any) (int, bool, error) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpInt(x, y), true, nil
		case Decimal:
			return DecimalFromInt(x).Cmp(y), true, nil
		case Quantity:
			return compare(Quantity{DecimalFromInt(x), "1"}, y)
		}
	case Decimal:
		switch y := b.(type) {
		case int64:
			return x.Cmp(DecimalFromInt(y)), true, nil
		case Decimal:
			return x.Cmp(y), true, nil
		case Quantity:
			return compare(Quantity{x, "1"}, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true, nil
		}
		if y, ok := b.(DateTime); ok {
			if d, ok := ParseDate(x); ok {
				return compare(d, y)
			}
		}
	case DateTime:
		switch y := b.(type) {
		case DateTime:
			if (x.Kind == KindTime) != (y.Kind == KindTime) {
				break
			}
			n, ok := compareDT(x, y)
			return n, ok, nil
		case string:
			if d, ok := ParseDate(y); ok {
				return compare(x, d)
			}
		}
	case Quantity:
		switch y := b.(type) {
		case Quantity:
			n, ok := compareQuantity(x, y)
			return n, ok, nil
		case int64, Decimal:
			d, _ := toDecimal(y)
			return compare(x, Quantity{d, "1"})
		}
	}
	return 0, false, evalErr("impossible de comparer %s et %s", sysTypeName(a), sysTypeName(b))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// membership is "x in coll" (N1 §Collections: in): empty x gives empty.
func membership(c *evalCtx, x, coll Collection) (Collection, error) {
	if len(x) == 0 {
		return nil, nil
	}
	if len(x) > 1 {
		return nil, evalErr("in/contains attend un seul élément")
	}
	for _, it := range coll {
		if c.equalItems(x[0], it) == bTrue {
			return boolColl(true), nil
		}
	}
	return boolColl(false), nil
}

// union merges without duplicates (N1 §Collections: |).
func union(c *evalCtx, l, r Collection) Collection {
	out := make(Collection, 0, len(l)+len(r))
	out = c.appendDistinct(out, l)
	return c.appendDistinct(out, r)
}

func (c *evalCtx) appendDistinct(out, items Collection) Collection {
	for _, it := range items {
		if !c.contains(out, it) {
			out = append(out, it)
		}
	}
	return out
}

func (c *evalCtx) contains(coll Collection, it any) bool {
	for _, o := range coll {
		if c.equalItems(o, it) == bTrue {
			return true
		}
	}
	return false
}
