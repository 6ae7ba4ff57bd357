package search

import (
	"slices"
	"strings"

	"dsn"
	"dsn/fhir"
)

// Expansion is what a ValueSet contains as far as the resources stored
// locally tell (valueset.html#compose), for the token modifiers :in and
// :not-in (search.html#token): enumerated codes and whole code systems.
type Expansion struct {
	Codes   []Code        // enumerated system|code pairs
	Systems []WholeSystem // every code of a system (minus exclusions)
}

// Code is one concept of an Expansion.
type Code struct{ System, Code string }

// WholeSystem is every code of System except the Except codes: a compose
// include of a whole system whose CodeSystem is not stored with its concepts.
type WholeSystem struct {
	System string
	Except []string
}

// Contains tells whether a token row (system, code) is in the expansion. A
// row without a system matches an enumerated code of any system (as the
// FHIRPath memberOf of fhir/fhirpath does); an empty code never matches.
func (e Expansion) Contains(system, code string) bool {
	if code == "" {
		return false
	}
	for _, c := range e.Codes {
		if c.Code == code && (system == "" || c.System == system) {
			return true
		}
	}
	for _, w := range e.Systems {
		if w.System == system && !slices.Contains(w.Except, code) {
			return true
		}
	}
	return false
}

// maxValueSetDepth bounds include.valueSet recursion (and cycles).
const maxValueSetDepth = 5

// ExpandValueSet expands the ValueSet with canonical url ("url|version"
// allowed) from local resources: lookup(type, url) finds a ValueSet or
// CodeSystem by its canonical URL. A stored expansion.contains is used as
// is; otherwise compose.include lists concepts, whole systems (expanded from
// a stored CodeSystem whose content is complete, else kept as "every code of
// the system"), or one other ValueSet; compose.exclude removes concepts or
// systems. Errors (KindInvalid): the ValueSet is unknown locally, or it needs
// a terminology server (filters, intersections of ValueSets).
func ExpandValueSet(url string, lookup func(typ, url string) (fhir.Object, bool)) (Expansion, error) {
	return expand(url, lookup, 0)
}

// vsError is an expansion refused: the sentence id (messages.go, vs.*), in
// both languages (a search's :in or :not-in answers it as a 400).
func vsError(id string, args ...any) error {
	t := say(id, args...)
	return &dsn.Error{Op: "search.ExpandValueSet", Kind: dsn.KindInvalid, Msg: t.FR, English: t.EN}
}

func expand(url string, lookup func(typ, url string) (fhir.Object, bool), depth int) (Expansion, error) {
	if depth > maxValueSetDepth {
		return Expansion{}, vsError("vs.deep", url, maxValueSetDepth)
	}
	vs, ok := lookup("ValueSet", url)
	if !ok {
		return Expansion{}, vsError("vs.unknown", url)
	}
	var e Expansion
	if exp, ok := vs["expansion"].(map[string]any); ok {
		flattenContains(&e, exp["contains"])
		return e, nil
	}
	compose, _ := vs["compose"].(map[string]any)
	for _, x := range list(compose["include"]) {
		if err := includeInto(&e, x, url, lookup, depth); err != nil {
			return Expansion{}, err
		}
	}
	var ex Expansion
	for _, x := range list(compose["exclude"]) {
		if err := includeInto(&ex, x, url, lookup, depth); err != nil {
			return Expansion{}, err
		}
	}
	return subtract(e, ex), nil
}

func list(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// flattenContains adds the non-abstract concepts of expansion.contains, nested ones included.
func flattenContains(e *Expansion, v any) {
	for _, c := range list(v) {
		if abstract, _ := c["abstract"].(bool); !abstract && str(c, "code") != "" {
			e.Codes = append(e.Codes, Code{System: str(c, "system"), Code: str(c, "code")})
		}
		flattenContains(e, c["contains"])
	}
}

// includeInto adds one compose.include (or exclude) to e.
func includeInto(e *Expansion, inc map[string]any, url string, lookup func(typ, url string) (fhir.Object, bool), depth int) error {
	sys := str(inc, "system")
	sets, _ := inc["valueSet"].([]any)
	switch {
	case inc["filter"] != nil:
		return vsError("vs.filter", url, sys)
	case len(sets) > 0:
		ref, _ := sets[0].(string)
		if len(sets) > 1 || sys != "" || ref == "" {
			return vsError("vs.intersection", url)
		}
		sub, err := expand(ref, lookup, depth+1)
		if err != nil {
			return err
		}
		e.Codes = append(e.Codes, sub.Codes...)
		e.Systems = append(e.Systems, sub.Systems...)
	case sys == "":
		return vsError("vs.system", url)
	case inc["concept"] != nil:
		for _, c := range list(inc["concept"]) {
			if code := str(c, "code"); code != "" {
				e.Codes = append(e.Codes, Code{System: sys, Code: code})
			}
		}
	default:
		if cs, ok := lookup("CodeSystem", sys); ok && str(cs, "content") == "complete" {
			conceptsInto(e, sys, cs["concept"])
		} else {
			e.Systems = append(e.Systems, WholeSystem{System: sys})
		}
	}
	return nil
}

// conceptsInto adds a CodeSystem's concepts, nested ones included.
func conceptsInto(e *Expansion, sys string, v any) {
	for _, c := range list(v) {
		if code := str(c, "code"); code != "" {
			e.Codes = append(e.Codes, Code{System: sys, Code: code})
		}
		conceptsInto(e, sys, c["concept"])
	}
}

// subtract removes ex from e: excluded codes leave the enumerations and join
// the exceptions of their whole system; an excluded system leaves entirely.
func subtract(e, ex Expansion) Expansion {
	if len(ex.Codes) == 0 && len(ex.Systems) == 0 {
		return e
	}
	gone := func(sys string) bool {
		return slices.ContainsFunc(ex.Systems, func(w WholeSystem) bool { return w.System == sys })
	}
	var out Expansion
	for _, c := range e.Codes {
		if !gone(c.System) && !slices.Contains(ex.Codes, c) {
			out.Codes = append(out.Codes, c)
		}
	}
	for _, w := range e.Systems {
		if gone(w.System) {
			continue
		}
		for _, c := range ex.Codes {
			if c.System == w.System {
				w.Except = append(w.Except, c.Code)
			}
		}
		out.Systems = append(out.Systems, w)
	}
	return out
}

// SplitCanonical splits "url|version" (canonical references, references.html#canonical).
func SplitCanonical(c string) (url, version string) {
	url, version, _ = strings.Cut(c, "|")
	return url, version
}
