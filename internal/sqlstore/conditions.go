package sqlstore

// The conditions of each parameter type, on the columns of an index row (or
// of a composite part, or a resource column), for the search translator.
// FHIR R4 search.html is the reference for each rule; search/matchrules.go
// states the same rules for the oracle.

import (
	"strconv"
	"strings"

	"dsn"
)

// cols names the columns one value condition reads.
type cols struct {
	system, code, text  string // token (text: the normalised display)
	norm, exact         string // string
	low, high           string // date bounds; number and quantity spans
	refType, refID, url string // reference
	uri, unit           string
}

// rowCols are the columns of the index row x of table.
func rowCols(table string) cols {
	switch table {
	case "idx_number":
		return cols{low: "x.value", high: "x.value"}
	case "idx_identifier_type":
		return cols{system: "x.type_system", code: "x.type_code", text: "x.value"}
	case "idx_ref_identifier":
		return cols{system: "x.system", code: "x.value"}
	}
	return cols{system: "x.system", code: "x.code", text: "x.text", norm: "x.norm", exact: "x.exact",
		low: "x.low", high: "x.high", refType: "x.ref_type", refID: "x.ref_id", url: "x.url", uri: "x.uri", unit: "x.unit"}
}

// partCols are the columns of part n (1-based) of an idx_composite row x
// (composite.go says which type uses which).
func partCols(n int, typ dsn.ParamType) cols {
	p := strconv.Itoa(n)
	s, c, u := "x.s"+p, "x.c"+p, "x.u"+p
	lo, hi := "x.lo"+p, "x.hi"+p
	if typ == dsn.ParamDate {
		lo, hi = "x.dlo"+p, "x.dhi"+p
	}
	return cols{system: s, code: c, norm: s, exact: c, low: lo, high: hi, refType: s, refID: c, url: u, uri: c, unit: u}
}

func prefixError(p string) error {
	return invalid("clause.prefix", p)
}

// values ORs the conditions of each value of c on its index row x.
func (b *builder) values(c dsn.Clause) (string, error) {
	table, _ := tableOf(c)
	k := rowCols(table)
	return orEach(c.Values, func(v dsn.Value) (string, error) { return b.value(c.Type, c.Modifier, v, k, c.Parts) })
}

// orEach ORs the condition one makes of each value (search.html#combining).
func orEach(vs []dsn.Value, one func(dsn.Value) (string, error)) (string, error) {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		s, err := one(v)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", nil
}

// value is the condition of one value of a parameter of type typ.
func (b *builder) value(typ dsn.ParamType, mod string, v dsn.Value, k cols, parts []dsn.ParamType) (string, error) {
	switch typ {
	case dsn.ParamToken:
		return b.token(mod, v, k)
	case dsn.ParamString:
		return b.str(mod, v, k), nil
	case dsn.ParamDate:
		return b.dateRange(k.low, k.high, v.Prefix, v.Low, v.High)
	case dsn.ParamReference:
		return b.reference(mod, v, k)
	case dsn.ParamNumber:
		return b.number(k.low, k.high, v)
	case dsn.ParamQuantity:
		return b.quantity(v, k)
	case dsn.ParamURI:
		return b.uri(mod, v.Text, k.uri), nil
	case dsn.ParamComposite:
		return b.composite(v, parts)
	}
	return "", invalid("clause.param-type", typ)
}

// composite (search.html#composite): every part of one row matches its
// component value, each by its own type's rule (no modifiers).
func (b *builder) composite(v dsn.Value, parts []dsn.ParamType) (string, error) {
	if len(v.Components) != len(parts) || len(parts) > MaxCompositeParts {
		return "", invalid("clause.composite", len(v.Components), len(parts))
	}
	conds := make([]string, len(parts))
	for i, typ := range parts {
		s, err := b.value(typ, "", v.Components[i], partCols(i+1, typ), nil)
		if err != nil {
			return "", err
		}
		conds[i] = s
	}
	return "(" + strings.Join(conds, " AND ") + ")", nil
}

// token: system|code, |code (no system), code (any system), system| (any code);
// :text is a case- and accent-insensitive starts-with on the display text,
// stored normalised; :of-type is system|code of Identifier.type and the
// value (text); :in and :not-in read the ValueSet's expansion (search.html#token).
func (b *builder) token(mod string, v dsn.Value, k cols) (string, error) {
	switch mod {
	case "text":
		return b.startsWith(k.text, Normalize(v.Text)), nil
	case "of-type":
		s := "(" + k.text + " = " + b.arg(v.Text) + " AND " + k.code + " = " + b.arg(v.Code)
		if v.System != "" {
			s += " AND " + k.system + " = " + b.arg(v.System)
		}
		return s + ")", nil
	case "in", "not-in":
		return b.inValueSet(v.Text, k)
	}
	switch {
	case v.AnySystem && v.Code != "":
		return k.code + " = " + b.arg(v.Code), nil
	case v.System != "" && v.Code != "":
		s := "(" + k.system + " = " + b.arg(v.System)
		return s + " AND " + k.code + " = " + b.arg(v.Code) + ")", nil
	case v.System != "":
		return k.system + " = " + b.arg(v.System), nil
	case v.Code != "":
		return "(" + k.system + " = '' AND " + k.code + " = " + b.arg(v.Code) + ")", nil
	}
	return "", invalid("valeur de jeton vide")
}

// str: by default a case- and accent-insensitive starts-with on the normalised
// text, as a range so the B-tree index serves it; :exact compares the original
// text; :contains looks anywhere (search.html#string).
func (b *builder) str(mod string, v dsn.Value, k cols) string {
	switch mod {
	case "exact":
		return k.exact + " = " + b.arg(v.Text)
	case "contains":
		return k.norm + " LIKE " + b.arg("%"+escapeLike(Normalize(v.Text))+"%") + ` ESCAPE '\'`
	}
	return b.startsWith(k.norm, Normalize(v.Text))
}

// startsWith matches a column starting with text, as a range so that a
// B-tree index serves it (byte order: SQLite's BINARY, PostgreSQL's "C").
func (b *builder) startsWith(col, text string) string {
	s := "(" + col + " >= " + b.arg(text)
	return s + " AND " + col + " < " + b.arg(text+"\U0010FFFF") + ")"
}

// maxAbovePrefixes bounds the IN list of uri :above; a longer value is
// compared with substr (no index).
const maxAbovePrefixes = 256

// uri (search.html#uri): equality; :below the stored uri starts with the
// value; :above the value starts with the stored uri (an IN list of the
// value's prefixes, so the index serves it).
func (b *builder) uri(mod, value, col string) string {
	switch mod {
	case "below":
		return b.startsWith(col, value)
	case "above":
		var ph []string
		for i := range value {
			if i > 0 {
				ph = append(ph, b.arg(value[:i]))
			}
		}
		ph = append(ph, b.arg(value))
		if len(ph) > maxAbovePrefixes {
			b.args = b.args[:len(b.args)-len(ph)]
			return "(" + col + " <> '' AND substr(" + b.arg(value) + ", 1, length(" + col + ")) = " + col + ")"
		}
		return col + " IN (" + strings.Join(ph, ", ") + ")"
	}
	return col + " = " + b.arg(value)
}

// reference: Type/id or a bare id (any type), or an absolute URL
// (search.html#reference); a type modifier (subject:Patient) sets the type;
// :identifier matches Reference.identifier (system|value, in idx_ref_identifier).
func (b *builder) reference(mod string, v dsn.Value, k cols) (string, error) {
	if mod == "identifier" {
		return b.token("", v, k)
	}
	typ := v.RefType
	if isTypeName(mod) {
		typ = mod
	}
	switch {
	case v.RefID != "" && typ != "":
		s := "(" + k.refType + " = " + b.arg(typ)
		return s + " AND " + k.refID + " = " + b.arg(v.RefID) + ")", nil
	case v.RefID != "":
		return k.refID + " = " + b.arg(v.RefID), nil
	case v.Text != "":
		return k.url + " = " + b.arg(v.Text), nil
	}
	return "", invalid("référence vide")
}

// escapeLike protects LIKE's wildcards in user text.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
