package sqlstore

import (
	"slices"
	"strings"

	"dsn"
	"dsn/fhir"
	"dsn/search"
)

// maxExpansion bounds the codes of one :in / :not-in clause.
const maxExpansion = 100000

// ValueSets expands the ValueSets that the :in and :not-in clauses of q
// name (chains and _has included), reading ValueSets and CodeSystems stored
// locally through get(type, canonical URL without version), which returns
// the bodies of the current resources with that url. Errors: KindInvalid
// when one is unknown or needs a terminology server (search.ExpandValueSet).
func ValueSets(q dsn.SearchQuery, get func(typ, url string) ([][]byte, error)) (map[string]search.Expansion, error) {
	urls := inURLs(q, nil)
	if len(urls) == 0 {
		return nil, nil
	}
	var failed error
	lookup := func(typ, canonical string) (fhir.Object, bool) {
		url, version := search.SplitCanonical(canonical)
		bodies, err := get(typ, url)
		if err != nil {
			failed = err
			return nil, false
		}
		for _, b := range bodies {
			o, err := fhir.Decode(b)
			if err == nil && (version == "" || o["version"] == version) {
				return o, true
			}
		}
		return nil, false
	}
	sets := map[string]search.Expansion{}
	for _, u := range urls {
		e, err := search.ExpandValueSet(u, lookup)
		if failed != nil {
			return nil, dsn.Wrap(searchOp, dsn.KindInternal, failed)
		}
		if err != nil {
			return nil, err
		}
		sets[u] = e
	}
	return sets, nil
}

// inURLs lists the ValueSet URLs of the :in and :not-in clauses of q.
func inURLs(q dsn.SearchQuery, urls []string) []string {
	for _, c := range q.Clauses {
		switch {
		case c.Chain != nil:
			urls = inURLs(*c.Chain, urls)
		case c.Has != nil:
			urls = inURLs(*c.Has, urls)
		case c.Modifier == "in" || c.Modifier == "not-in":
			for _, v := range c.Values {
				if !slices.Contains(urls, v.Text) {
					urls = append(urls, v.Text)
				}
			}
		}
	}
	return urls
}

// inValueSet: a token row is in the expansion of the ValueSet url
// (search.Expansion.Contains): an enumerated code of its system (or of any
// system for a row without one), or any code of a whole system.
func (b *builder) inValueSet(url string, k cols) (string, error) {
	e, ok := b.sets[url]
	if !ok {
		return "", invalid("ValueSet %s non résolu", url)
	}
	if len(e.Codes) > maxExpansion {
		return "", invalid("ValueSet %s : %d codes, %d au plus pour :in", url, len(e.Codes), maxExpansion)
	}
	bySystem := map[string][]string{}
	var systems []string
	for _, c := range e.Codes {
		if _, seen := bySystem[c.System]; !seen {
			systems = append(systems, c.System)
		}
		bySystem[c.System] = append(bySystem[c.System], c.Code)
	}
	var ors []string
	for _, sys := range systems {
		s := "(" + b.in(k.code, bySystem[sys]) + " AND " + k.system + " IN (" + b.arg(sys) + ", ''))"
		ors = append(ors, s)
	}
	for _, w := range e.Systems {
		s := "(" + k.system + " = " + b.arg(w.System) + " AND " + k.code + " <> ''"
		if len(w.Except) > 0 {
			s += " AND NOT " + b.in(k.code, w.Except)
		}
		ors = append(ors, s+")")
	}
	switch len(ors) {
	case 0:
		return "0 = 1", nil // an empty ValueSet contains nothing
	case 1:
		return ors[0], nil
	}
	return "(" + strings.Join(ors, " OR ") + ")", nil
}

// shortList is the longest list bound value by value; a longer one is one
// array parameter (a ValueSet may hold thousands of codes).
const shortList = 32

// in is "col IN (values)".
func (b *builder) in(col string, vals []string) string {
	if len(vals) > shortList {
		return b.d.inArray(col, b.arg(b.d.arrayArg(vals)))
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = b.arg(v)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}
