package sqlstore

// The conditions of each parameter type, on the index row x (or a resource
// column), for the search translator (search.go). FHIR R4 search.html is the
// reference for each rule.

import (
	"strings"
	"time"

	"dsn"
)

func prefixError(p string) error {
	return invalid("le préfixe %q n'est pas pris en charge", p)
}

// dateRange compares a stored range [lo, hi) with the value's range [vl, vh)
// following search.html#prefix: eq = the value's range contains the stored one;
// gt/lt = the range above/below the value overlaps it; ge/le add eq; sa/eb =
// starts after / ends before; ap is read as "overlaps".
func (b *builder) dateRange(lo, hi, prefix string, low, high time.Time) (string, error) {
	vl, vh := RangeLow(low), RangeHigh(high)
	eq := func() string { return "(" + lo + " >= " + b.arg(vl) + " AND " + hi + " <= " + b.arg(vh) + ")" }
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

// number compares a decimal by value; ap is ±10 % (search.html#prefix).
func (b *builder) number(col, prefix string, n float64) (string, error) {
	ops := map[string]string{"": "=", "eq": "=", "ne": "<>", "gt": ">", "lt": "<",
		"ge": ">=", "le": "<=", "sa": ">", "eb": "<"}
	if op, ok := ops[prefix]; ok {
		return col + " " + op + " " + b.arg(n), nil
	}
	if prefix == "ap" {
		lo, hi := min(n*0.9, n*1.1), max(n*0.9, n*1.1)
		s := "(" + col + " >= " + b.arg(lo)
		return s + " AND " + col + " <= " + b.arg(hi) + ")", nil
	}
	return "", prefixError(prefix)
}

// quantity: number[|system|code]; without a system the code matches the
// code or the unit (search.html#quantity).
func (b *builder) quantity(v dsn.Value) (string, error) {
	s, err := b.number("x.value", v.Prefix, v.Number)
	if err != nil || v.Code == "" && v.System == "" {
		return s, err
	}
	if v.System != "" {
		s += " AND x.system = " + b.arg(v.System)
	}
	if v.Code != "" {
		if v.System != "" {
			s += " AND x.code = " + b.arg(v.Code)
		} else {
			c := b.arg(v.Code)
			s += " AND (x.code = " + c + " OR x.unit = " + b.arg(v.Code) + ")"
		}
	}
	return "(" + s + ")", nil
}

// token: system|code, |code (no system), code (any system), system| (any code);
// :text is a case- and accent-insensitive starts-with on the display text,
// stored normalised (search.html#token).
func (b *builder) token(c dsn.Clause, v dsn.Value) (string, error) {
	if c.Modifier == "text" {
		return b.startsWith("x.text", v.Text), nil
	}
	switch {
	case v.AnySystem && v.Code != "":
		return "x.code = " + b.arg(v.Code), nil
	case v.System != "" && v.Code != "":
		s := "(x.system = " + b.arg(v.System)
		return s + " AND x.code = " + b.arg(v.Code) + ")", nil
	case v.System != "":
		return "x.system = " + b.arg(v.System), nil
	case v.Code != "":
		return "(x.system = '' AND x.code = " + b.arg(v.Code) + ")", nil
	}
	return "", invalid("valeur vide pour %s", c.Param)
}

// str: by default a case- and accent-insensitive starts-with on the normalised
// text, as a range so the B-tree index serves it; :exact compares the original
// text; :contains looks anywhere (search.html#string).
func (b *builder) str(c dsn.Clause, v dsn.Value) string {
	switch c.Modifier {
	case "exact":
		return "x.exact = " + b.arg(v.Text)
	case "contains":
		return "x.norm LIKE " + b.arg("%"+escapeLike(Normalize(v.Text))+"%") + ` ESCAPE '\'`
	}
	return b.startsWith("x.norm", v.Text)
}

// startsWith matches a normalised column starting with the normalised text, as
// a range so that a B-tree index serves it.
func (b *builder) startsWith(col, text string) string {
	n := Normalize(text)
	s := "(" + col + " >= " + b.arg(n)
	return s + " AND " + col + " < " + b.arg(n+"\U0010FFFF") + ")"
}

// reference: Type/id or a bare id (any type), or an absolute URL
// (search.html#reference); a type modifier (subject:Patient) sets the type.
func (b *builder) reference(c dsn.Clause, v dsn.Value) (string, error) {
	typ := v.RefType
	if isTypeName(c.Modifier) {
		typ = c.Modifier
	}
	switch {
	case v.RefID != "" && typ != "":
		s := "(x.ref_type = " + b.arg(typ)
		return s + " AND x.ref_id = " + b.arg(v.RefID) + ")", nil
	case v.RefID != "":
		return "x.ref_id = " + b.arg(v.RefID), nil
	case v.Text != "":
		return "x.url = " + b.arg(v.Text), nil
	}
	return "", invalid("référence vide pour %s", c.Param)
}

// escapeLike protects LIKE's wildcards in user text.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
