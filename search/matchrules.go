package search

import (
	"strings"
	"time"

	"dsn"
)

// The comparison rules of search.html, one value against the rows of one
// resource: the definition the SQL translators must reproduce.

// matchRows tells whether one row of the parameter matches the value v.
func (s *Set) matchRows(c dsn.Clause, v dsn.Value, ix dsn.Index, nodes []node) (bool, error) {
	switch c.Type {
	case dsn.ParamToken:
		return s.matchTokens(c, v, ix)
	case dsn.ParamString:
		for _, k := range ix.Strings {
			if stringMatch(c.Modifier, k, v) {
				return true, nil
			}
		}
	case dsn.ParamURI:
		for _, k := range ix.URIs {
			if uriMatch(c.Modifier, k.URI, v.Text) {
				return true, nil
			}
		}
	case dsn.ParamReference:
		return refMatch(c, v, ix, nodes)
	case dsn.ParamDate:
		for _, k := range ix.Dates {
			if dateMatch(v.Prefix, k.Low, k.High, v) {
				return true, nil
			}
		}
	case dsn.ParamNumber:
		for _, k := range ix.Numbers {
			if numberMatch(v.Prefix, k.Value, k.Value, v) {
				return true, nil
			}
		}
	case dsn.ParamQuantity:
		for _, k := range ix.Quantities {
			if quantityMatch(k, v) {
				return true, nil
			}
		}
	case dsn.ParamComposite:
		for _, k := range ix.Composites {
			if compositeMatch(k, v) {
				return true, nil
			}
		}
	default:
		return false, dsn.Errorf("search.Match", dsn.KindInvalid, "type de paramètre non évaluable: %s", c.Type)
	}
	return false, nil
}

func (s *Set) matchTokens(c dsn.Clause, v dsn.Value, ix dsn.Index) (bool, error) {
	switch c.Modifier {
	case "above", "below":
		return false, dsn.Errorf("search.Match", dsn.KindInvalid, ":%s sur un jeton demande un serveur de terminologie", c.Modifier)
	case "of-type":
		for _, k := range ix.IdentifierTypes {
			if (v.System == "" || k.TypeSystem == v.System) && k.TypeCode == v.Code && k.Value == v.Text {
				return true, nil
			}
		}
		return false, nil
	case "in", "not-in":
		for _, k := range ix.Tokens {
			if k.Code == "" || s.memberOf == nil {
				continue
			}
			in, err := s.memberOf(k.System, k.Code, v.Text)
			if err != nil {
				return false, dsn.Errorf("search.Match", dsn.KindInvalid, ":%s: %v", c.Modifier, err)
			}
			if in {
				return true, nil
			}
		}
		return false, nil
	}
	for _, k := range ix.Tokens {
		if tokenMatch(c.Modifier, k, v) {
			return true, nil
		}
	}
	return false, nil
}

// tokenMatch (search.html#token): system|code, |code (no system), code (any
// system), system| (any code); :text starts the display text, both
// normalised like strings.
func tokenMatch(mod string, k dsn.TokenKey, v dsn.Value) bool {
	if mod == "text" {
		return strings.HasPrefix(k.Text, Normalize(v.Text))
	}
	switch {
	case v.AnySystem:
		return v.Code != "" && k.Code == v.Code
	case v.System != "" && v.Code != "":
		return k.System == v.System && k.Code == v.Code
	case v.System != "":
		return k.System == v.System
	}
	return v.Code != "" && k.System == "" && k.Code == v.Code
}

// stringMatch (search.html#string): starts with, case- and accent-
// insensitive; :contains anywhere; :exact the original text.
func stringMatch(mod string, k dsn.StringKey, v dsn.Value) bool {
	switch mod {
	case "exact":
		return k.Exact == v.Text
	case "contains":
		return strings.Contains(k.Norm, Normalize(v.Text))
	}
	return strings.HasPrefix(k.Norm, Normalize(v.Text))
}

// uriMatch (search.html#uri): equality; :below the stored uri starts with
// the value; :above the value starts with the stored uri.
func uriMatch(mod, stored, value string) bool {
	switch mod {
	case "below":
		return strings.HasPrefix(stored, value)
	case "above":
		return stored != "" && strings.HasPrefix(value, stored)
	}
	return stored == value
}

// refMatch (search.html#reference): Type/id, a bare id of any type (or of
// the :Type modifier), an absolute URL; :identifier the Reference.identifier.
func refMatch(c dsn.Clause, v dsn.Value, ix dsn.Index, nodes []node) (bool, error) {
	switch c.Modifier {
	case "above", "below":
		return false, dsn.Errorf("search.Match", dsn.KindInvalid, ":%s sur une référence n'est pas évaluable", c.Modifier)
	case "identifier":
		for _, n := range nodes {
			ref, _ := n.v.(map[string]any)
			id, _ := ref["identifier"].(map[string]any)
			// the identifier is a token: system|value, |value, value, system|
			if k := (dsn.TokenKey{System: str(id, "system"), Code: str(id, "value")}); k.Code != "" && tokenMatch("", k, v) {
				return true, nil
			}
		}
		return false, nil
	}
	typ := v.RefType
	if c.Modifier != "" {
		typ = c.Modifier
	}
	for _, k := range ix.References {
		switch {
		case v.RefID != "":
			if k.ID == v.RefID && (typ == "" || k.Type == typ) {
				return true, nil
			}
		case v.Text != "":
			if k.URL == v.Text {
				return true, nil
			}
		}
	}
	return false, nil
}

// dateMatch compares a stored range [lo, hi) with the value's range
// (search.html#prefix): eq the value's range contains the stored one; gt/lt
// the range above/below the value overlaps it; ge/le add eq; sa/eb starts
// after / ends before; ap overlaps.
func dateMatch(prefix string, lo, hi time.Time, v dsn.Value) bool {
	vl, vh := v.Low, v.High
	eq := !lo.Before(vl) && !hi.After(vh)
	switch prefix {
	case "", "eq":
		return eq
	case "ne":
		return !eq
	case "gt":
		return hi.After(vh)
	case "lt":
		return lo.Before(vl)
	case "ge":
		return hi.After(vh) || eq
	case "le":
		return lo.Before(vl) || eq
	case "sa":
		return !lo.Before(vh)
	case "eb":
		return !hi.After(vl)
	case "ap":
		return lo.Before(vh) && hi.After(vl)
	}
	return false
}

// numberMatch compares a stored value or span [lo, hi] with a number
// (search.html#number): eq and ne use the range the value's precision
// implies ("100" is [99.5, 100.5)); gt lt ge le sa eb compare with the
// number itself; ap is ±10 %. A span (Range) matches eq when it overlaps
// the value's range, gt when it reaches above, lt below.
func numberMatch(prefix string, lo, hi float64, v dsn.Value) bool {
	nl, nh := v.NumLow, v.NumHigh
	if nl == 0 && nh == 0 { // a value built without its precision
		nl, nh = v.Number, v.Number
	}
	eq := lo < nh && hi >= nl // [lo, hi] overlaps [nl, nh): a point lies in it
	if nl == nh {
		eq = lo <= nl && hi >= nl
	}
	switch prefix {
	case "", "eq":
		return eq
	case "ne":
		return !eq
	case "gt", "sa":
		return hi > v.Number
	case "lt", "eb":
		return lo < v.Number
	case "ge":
		return hi >= v.Number
	case "le":
		return lo <= v.Number
	case "ap":
		a, b := min(v.Number*0.9, v.Number*1.1), max(v.Number*0.9, v.Number*1.1)
		return lo <= b && hi >= a
	}
	return false
}

// quantityMatch: the number as numberMatch; with a system, system and code
// must match; with a code alone, the code or the unit (search.html#quantity).
func quantityMatch(k dsn.QuantityKey, v dsn.Value) bool {
	lo, hi := k.Low, k.High
	if lo == 0 && hi == 0 {
		lo, hi = k.Value, k.Value
	}
	if !numberMatch(v.Prefix, lo, hi, v) {
		return false
	}
	switch {
	case v.System != "":
		return k.System == v.System && (v.Code == "" || k.Code == v.Code)
	case v.Code != "":
		return k.Code == v.Code || k.Unit == v.Code
	}
	return true
}

// compositeMatch: every part of one combination matches its component
// value (search.html#composite).
func compositeMatch(k dsn.CompositeKey, v dsn.Value) bool {
	if len(k.Parts) != len(v.Components) {
		return false
	}
	for i, p := range k.Parts {
		cv := v.Components[i]
		var ok bool
		switch p.Type {
		case dsn.ParamToken:
			ok = tokenMatch("", p.Token, cv)
		case dsn.ParamString:
			ok = stringMatch("", p.String, cv)
		case dsn.ParamDate:
			ok = dateMatch(cv.Prefix, p.Date.Low, p.Date.High, cv)
		case dsn.ParamReference:
			ok = cv.RefID != "" && p.Ref.ID == cv.RefID && (cv.RefType == "" || p.Ref.Type == cv.RefType) || cv.Text != "" && p.Ref.URL == cv.Text
		case dsn.ParamQuantity:
			ok = quantityMatch(p.Quantity, cv)
		case dsn.ParamNumber:
			ok = numberMatch(cv.Prefix, p.Number.Value, p.Number.Value, cv)
		case dsn.ParamURI:
			ok = uriMatch("", p.URI.URI, cv.Text)
		}
		if !ok {
			return false
		}
	}
	return true
}
