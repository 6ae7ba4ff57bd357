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
	saved := c.locals // variables defined in one operand stay there
	defer func() { c.locals = saved }()
	l, err := e.l.eval(c)
	if err != nil {
		return nil, err
	}
	c.locals = saved
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
	if len(as)+len(bs) > maxString {
		return nil, evalErr("chaîne trop longue (plus de %d octets)", maxString)
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
