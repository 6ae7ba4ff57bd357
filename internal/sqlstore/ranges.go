package sqlstore

// The range comparisons of the search translator (search.html#prefix): dates
// and instants, numbers and quantities with their precision.

import (
	"time"

	"dsn"
)

// dateRange compares a stored range [lo, hi) with the value's range [vl, vh)
// following search.html#prefix: eq = the value's range contains the stored one;
// gt/lt = the range above/below the value overlaps it; ge/le add eq; sa/eb =
// starts after / ends before; ap is read as "overlaps".
func (b *builder) dateRange(lo, hi, prefix string, low, high time.Time) (string, error) {
	vl, vh := RangeLow(low), RangeHigh(high)
	// eq also bounds lo from above (implied: a stored range has lo <= hi),
	// so that an index on lo scans only the value's range.
	eq := func() string {
		s := "(" + lo + " >= " + b.arg(vl) + " AND " + lo + " <= " + b.arg(vh)
		return s + " AND " + hi + " <= " + b.arg(vh) + ")"
	}
	switch prefix {
	case "", "eq":
		return eq(), nil
	case "ne":
		return "NOT " + eq(), nil
	case "gt":
		return hi + " > " + b.arg(vh), nil
	case "lt":
		return lo + " < " + b.arg(vl), nil
	case "ge":
		s := "(" + hi + " > " + b.arg(vh)
		return s + " OR " + eq() + ")", nil
	case "le":
		s := "(" + lo + " < " + b.arg(vl)
		return s + " OR " + eq() + ")", nil
	case "sa":
		return lo + " >= " + b.arg(vh), nil
	case "eb":
		return hi + " <= " + b.arg(vl), nil
	case "ap":
		s := "(" + lo + " < " + b.arg(vh)
		return s + " AND " + hi + " > " + b.arg(vl) + ")", nil
	}
	return "", prefixError(prefix)
}

// instant is dateRange for a stored instant t, whose range is [t, t+1µs):
// the same rules reduce to single comparisons.
func (b *builder) instant(col, prefix string, low, high time.Time) (string, error) {
	vl, vh := b.d.timeArg(low), b.d.timeArg(high)
	switch prefix {
	case "", "eq", "ap":
		s := "(" + col + " >= " + b.arg(vl)
		return s + " AND " + col + " < " + b.arg(vh) + ")", nil
	case "ne":
		s := "NOT (" + col + " >= " + b.arg(vl)
		return s + " AND " + col + " < " + b.arg(vh) + ")", nil
	case "gt", "sa":
		return col + " >= " + b.arg(vh), nil
	case "lt", "eb":
		return col + " < " + b.arg(vl), nil
	case "ge":
		return col + " >= " + b.arg(vl), nil
	case "le":
		return col + " < " + b.arg(vh), nil
	}
	return "", prefixError(prefix)
}

// number compares a stored span [lo, hi] (a plain value has lo = hi) with a
// number (search.html#number): eq and ne use the range [NumLow, NumHigh)
// the value's significant figures imply ("100" is [99.5, 100.5)), so eq
// holds when the span reaches into it; gt lt ge le sa eb compare with the
// number itself, the span reaching above or below it; ap is ±10 %.
func (b *builder) number(lo, hi string, v dsn.Value) (string, error) {
	n, nl, nh := v.Number, v.NumLow, v.NumHigh
	if nl == 0 && nh == 0 { // a value built without its precision
		nl, nh = n, n
	}
	eq := func() string {
		if nl == nh {
			return "(" + lo + " <= " + b.arg(nl) + " AND " + hi + " >= " + b.arg(nl) + ")"
		}
		return "(" + lo + " < " + b.arg(nh) + " AND " + hi + " >= " + b.arg(nl) + ")"
	}
	switch v.Prefix {
	case "", "eq":
		return eq(), nil
	case "ne":
		return "NOT " + eq(), nil
	case "gt", "sa":
		return hi + " > " + b.arg(n), nil
	case "lt", "eb":
		return lo + " < " + b.arg(n), nil
	case "ge":
		return hi + " >= " + b.arg(n), nil
	case "le":
		return lo + " <= " + b.arg(n), nil
	case "ap":
		a, z := min(n*0.9, n*1.1), max(n*0.9, n*1.1)
		return "(" + lo + " <= " + b.arg(z) + " AND " + hi + " >= " + b.arg(a) + ")", nil
	}
	return "", prefixError(v.Prefix)
}

// quantity: number[|system|code]; without a system the code matches the
// code or the unit (search.html#quantity).
func (b *builder) quantity(v dsn.Value, k cols) (string, error) {
	s, err := b.number(k.low, k.high, v)
	if err != nil || v.Code == "" && v.System == "" {
		return s, err
	}
	if v.System != "" {
		s += " AND " + k.system + " = " + b.arg(v.System)
	}
	if v.Code != "" {
		if v.System != "" {
			s += " AND " + k.code + " = " + b.arg(v.Code)
		} else {
			c := b.arg(v.Code)
			s += " AND (" + k.code + " = " + c + " OR " + k.unit + " = " + b.arg(v.Code) + ")"
		}
	}
	return "(" + s + ")", nil
}
