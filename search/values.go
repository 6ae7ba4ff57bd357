package search

import (
	"math"
	"strconv"
	"strings"

	"dsn"
)

// valueErr is a problem with one parameter: its IssueType code and message
// in both languages.
type valueErr struct {
	code string
	msg  text
}

// bad is a value refused: the sentence id (messages.go) with args.
func bad(id string, args ...any) *valueErr {
	return &valueErr{code: "value", msg: say(id, args...)}
}

// unsupported is a form DSN does not search: the sentence id with args.
func unsupported(id string, args ...any) *valueErr {
	return &valueErr{code: "not-supported", msg: say(id, args...)}
}

// fullModifiers are the modifiers Parse reads (search.html#modifiers);
// a reference also takes :[type].
var fullModifiers = map[dsn.ParamType][]string{
	dsn.ParamString:    {"", "missing", "exact", "contains"},
	dsn.ParamToken:     {"", "missing", "text", "not", "of-type", "in", "not-in"},
	dsn.ParamReference: {"", "missing", "identifier"},
	dsn.ParamDate:      {"", "missing"},
	dsn.ParamNumber:    {"", "missing"},
	dsn.ParamQuantity:  {"", "missing"},
	dsn.ParamURI:       {"", "missing", "above", "below"},
	dsn.ParamComposite: {"", "missing"},
}

// clause reads one occurrence of a parameter: its modifier and ORed values.
func (p *parser) clause(d def, mod, value string) (dsn.Clause, *valueErr) {
	c := dsn.Clause{Param: d.Code, Type: d.Type, Modifier: mod}
	mods := fullModifiers
	if _, ok := mods[d.Type]; !ok {
		return c, unsupported("type.no", d.Type)
	}
	if d.Type == dsn.ParamComposite && len(d.Components) == 0 {
		return c, unsupported("composite.none", d.Code)
	}
	if d.Type == dsn.ParamReference && mod != "" && !contains(mods[d.Type], mod) {
		if err := refTypeModifier(d, mod); err != nil {
			return c, err
		}
	} else if d.Type == dsn.ParamToken && (mod == "above" || mod == "below") {
		return c, unsupported("modifier.terminology", mod)
	} else if !contains(mods[d.Type], mod) {
		return c, unsupported("modifier.type", mod, d.Type)
	}
	for _, raw := range splitOr(value) {
		if raw == "" {
			continue
		}
		v, err := p.value(d, mod, raw)
		if err != nil {
			return c, err
		}
		c.Values = append(c.Values, v)
	}
	if len(c.Values) == 0 {
		return c, bad("value.none")
	}
	if d.Type == dsn.ParamComposite && mod == "" {
		for _, comp := range d.Components {
			c.Parts = append(c.Parts, p.defs[comp.Param].Type)
		}
	}
	return c, nil
}

// refTypeModifier checks a :[type] modifier on a reference (search.html#reference).
func refTypeModifier(d def, mod string) *valueErr {
	switch mod {
	case "above", "below":
		return unsupported("modifier.hierarchy", mod)
	}
	if !isName(mod) || mod[0] < 'A' || mod[0] > 'Z' {
		return unsupported("modifier.unknown", mod)
	}
	if len(d.Targets) > 0 && !contains(d.Targets, mod) {
		return bad("chain.target", mod, strings.Join(d.Targets, ", "))
	}
	return nil
}

func (p *parser) value(d def, mod, raw string) (dsn.Value, *valueErr) {
	if mod == "missing" {
		if raw != "true" && raw != "false" {
			return dsn.Value{}, bad("value.missing", raw)
		}
		return dsn.Value{Text: raw}, nil
	}
	if v, err, ok := p.fullValue(d, mod, raw); ok {
		return v, err
	}
	switch d.Type {
	case dsn.ParamString:
		s := unescape(raw)
		if mod == "exact" {
			return dsn.Value{Text: s}, nil
		}
		return dsn.Value{Text: Normalize(s)}, nil
	case dsn.ParamURI:
		return dsn.Value{Text: unescape(raw)}, nil
	case dsn.ParamToken:
		return tokenValue(d, mod, raw)
	case dsn.ParamReference:
		return refValue(d, mod, raw)
	case dsn.ParamDate:
		return dateValue(raw)
	case dsn.ParamNumber:
		prefix, rest := splitPrefix(raw)
		f, err := parseNumber(rest)
		if err != nil {
			return dsn.Value{}, err
		}
		lo, hi := numberRange(rest, f)
		return dsn.Value{Prefix: prefix, Number: f, NumLow: lo, NumHigh: hi}, nil
	case dsn.ParamQuantity:
		return quantityValue(raw)
	}
	return dsn.Value{}, unsupported("type.other", d.Type)
}

// tokenValue reads [system]|[code], |[code] (no system) or [code] (any
// system) (search.html#token); :text takes the whole value as text.
func tokenValue(d def, mod, raw string) (dsn.Value, *valueErr) {
	if mod == "text" {
		return dsn.Value{Text: Normalize(unescape(raw))}, nil
	}
	parts := splitUnescaped(raw, '|')
	switch len(parts) {
	case 1:
		return dsn.Value{AnySystem: true, Code: unescape(parts[0])}, nil
	case 2:
		v := dsn.Value{System: unescape(parts[0]), Code: unescape(parts[1])}
		if v.System == "" && v.Code == "" {
			return dsn.Value{}, bad("token.empty", raw)
		}
		return v, nil
	}
	return dsn.Value{}, bad("token.form", raw)
}

// refValue reads [type]/[id], [id] or an absolute URL (search.html#reference).
// An absolute URL is kept whole in Text; a single possible target type
// is filled in for a bare id.
func refValue(d def, mod, raw string) (dsn.Value, *valueErr) {
	s := unescape(raw)
	if strings.Contains(s, ":") {
		return dsn.Value{Text: s}, nil
	}
	if i := strings.Index(s, "/_history/"); i >= 0 {
		s = s[:i] // a version-specific reference matches the resource (versions are not indexed)
	}
	v := dsn.Value{}
	if typ, id, ok := strings.Cut(s, "/"); ok {
		if !isName(typ) || typ[0] < 'A' || typ[0] > 'Z' || !validID(id) {
			return v, bad("ref.form", raw)
		}
		if mod != "" && mod != typ {
			return v, bad("ref.modifier", raw, mod)
		}
		if len(d.Targets) > 0 && !contains(d.Targets, typ) {
			return v, bad("chain.target", typ, strings.Join(d.Targets, ", "))
		}
		v.RefType, v.RefID = typ, id
		return v, nil
	}
	if !validID(s) {
		return v, bad("ref.id", raw)
	}
	v.RefID = s
	switch {
	case mod != "":
		v.RefType = mod
	case len(d.Targets) == 1:
		v.RefType = d.Targets[0]
	}
	return v, nil
}

// dateValue reads [prefix]date with its precision as a range (search.html#date).
// A "+" of a timezone offset left unencoded in the URL arrives as a space.
func dateValue(raw string) (dsn.Value, *valueErr) {
	prefix, rest := splitPrefix(raw)
	rest = strings.ReplaceAll(rest, " ", "+")
	lo, hi, ok := DateRange(rest)
	if !ok {
		return dsn.Value{}, bad("value.date", raw)
	}
	return dsn.Value{Prefix: prefix, Low: lo, High: hi}, nil
}

// quantityValue reads [prefix][number]|[system]|[code] or [prefix][number]
// (search.html#quantity).
func quantityValue(raw string) (dsn.Value, *valueErr) {
	prefix, rest := splitPrefix(raw)
	parts := splitUnescaped(rest, '|')
	if len(parts) != 1 && len(parts) != 3 {
		return dsn.Value{}, bad("value.quantity", raw)
	}
	f, err := parseNumber(parts[0])
	if err != nil {
		return dsn.Value{}, err
	}
	v := dsn.Value{Prefix: prefix, Number: f}
	v.NumLow, v.NumHigh = numberRange(parts[0], f)
	if len(parts) == 3 {
		v.System, v.Code = unescape(parts[1]), unescape(parts[2])
	}
	return v, nil
}

// prefixes are the comparators of search.html#prefix.
var prefixes = []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

func splitPrefix(s string) (prefix, rest string) {
	if len(s) > 2 && contains(prefixes, s[:2]) {
		return s[:2], s[2:]
	}
	return "", s
}

func parseNumber(s string) (float64, *valueErr) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(s, "xXpP_") {
		return 0, bad("value.number", s)
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// numberRange is the range [low, high) the significant figures of a number
// imply (search.html#number): "100" is [99.5, 100.5), "100.00" [99.995,
// 100.005), "1e2" [50, 150) — half a unit of the last digit either side.
func numberRange(s string, f float64) (low, high float64) {
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	decimals := 0
	if j := strings.IndexByte(mant, '.'); j >= 0 {
		decimals = len(mant) - j - 1
	}
	half := 0.5 * math.Pow(10, float64(exp-decimals))
	return f - half, f + half
}
