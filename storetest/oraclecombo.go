package storetest

// The generators of the oracle test that combine rows: ValueSets, :missing,
// _id and _lastUpdated, two clauses, chains, _has and _sort.

import (
	"strings"
	"time"

	"dsn"
	"dsn/fhir"
)

// in picks a token row and a stored ValueSet that names the row's system.
func (g *queryGen) in(i int) string {
	ts := g.d.ix[i].Tokens
	if len(ts) == 0 {
		return ""
	}
	k := ts[g.pick(len(ts))]
	var urls []string
	for _, o := range g.d.objs {
		if fhir.ResourceType(o) != "ValueSet" || k.System == "" {
			continue
		}
		if u, ok := o["url"].(string); ok && strings.Contains(string(fhir.Encode(o["compose"])), `"`+k.System+`"`) {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		return ""
	}
	mod := ":in"
	if g.chance(0.3) {
		mod = ":not-in"
	}
	return param(k.Param+mod, esc(urls[g.pick(len(urls))]))
}

func (g *queryGen) missing(i int) string {
	ix := g.d.ix[i]
	var codes []string
	for _, k := range ix.Tokens {
		codes = append(codes, k.Param)
	}
	for _, k := range ix.Dates {
		codes = append(codes, k.Param)
	}
	for _, k := range ix.References {
		codes = append(codes, k.Param)
	}
	for _, k := range ix.Composites {
		codes = append(codes, k.Param)
	}
	if len(codes) == 0 {
		return ""
	}
	return param(codes[g.pick(len(codes))]+":missing", []string{"true", "false"}[g.pick(2)])
}

func (g *queryGen) idLastUpdated(i int) string {
	if g.chance(0.5) {
		ids := esc(fhir.ID(g.d.objs[i]))
		if j := g.sameType(i); j >= 0 {
			ids += "," + esc(fhir.ID(g.d.objs[j]))
		}
		return param("_id", ids)
	}
	meta, _ := g.d.objs[i]["meta"].(map[string]any)
	lu, _ := meta["lastUpdated"].(string)
	t, err := time.Parse(time.RFC3339Nano, lu)
	if err != nil {
		return ""
	}
	return param("_lastUpdated", g.prefix()+t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// plain are the generators of one ordinary clause.
func (g *queryGen) plain() []clauseGen {
	return []clauseGen{g.token, g.str, g.date, g.number, g.quantity, g.reference, g.uri, g.composite, g.ofType, g.identifier}
}

// clauseOf writes one ordinary clause for resource i, trying each kind.
func (g *queryGen) clauseOf(i int) string {
	gens := g.plain()
	for _, n := range g.rng.Perm(len(gens)) {
		if q := gens[n](i); q != "" {
			return q
		}
	}
	return ""
}

// and writes two clauses from rows of the same resource (ANDed).
func (g *queryGen) and() (string, string) {
	for range 40 {
		i := g.pick(len(g.d.objs))
		a, b := g.clauseOf(i), g.clauseOf(i)
		if a != "" && b != "" {
			return g.typ(i), a + "&" + b
		}
	}
	return "", ""
}

// target is the stored resource a local reference row points at (-1 if none).
func (g *queryGen) target(k dsn.RefKey) int {
	if k.Type == "" {
		return -1
	}
	if j, ok := g.d.byKT[k.Type+"/"+k.ID]; ok {
		return j
	}
	return -1
}

// chainOf writes "ref:Type.<clause of the target>" for resource i, one or
// two levels deep.
func (g *queryGen) chainOf(i, depth int) string {
	rs := g.d.ix[i].References
	for _, n := range g.rng.Perm(len(rs)) {
		k := rs[n]
		j := g.target(k)
		if j < 0 || !allowed(g.typ(i), k.Param, k.Type) {
			continue
		}
		var rest string
		if depth > 1 && g.chance(0.5) {
			rest = g.chainOf(j, depth-1)
		}
		if rest == "" {
			rest = g.clauseOf(j)
		}
		if rest == "" {
			continue
		}
		return k.Param + ":" + k.Type + "." + rest
	}
	return ""
}

func (g *queryGen) chain() (string, string) {
	for range 60 {
		i := g.pick(len(g.d.objs))
		if q := g.chainOf(i, 2); q != "" {
			return g.typ(i), q
		}
	}
	return "", ""
}

// has writes Target?_has:Type:ref:<clause of the referring resource>.
func (g *queryGen) has() (string, string) {
	for range 60 {
		i := g.pick(len(g.d.objs))
		rs := g.d.ix[i].References
		if len(rs) == 0 {
			continue
		}
		k := rs[g.pick(len(rs))]
		j := g.target(k)
		if j < 0 || !allowed(g.typ(i), k.Param, k.Type) {
			continue
		}
		if c := g.clauseOf(i); c != "" {
			return g.typ(j), "_has:" + g.typ(i) + ":" + k.Param + ":" + c
		}
	}
	return "", ""
}

// sort writes _sort on one or two parameters present on a resource of the
// type (and _id or _lastUpdated now and then), with a clause sometimes.
func (g *queryGen) sort() (string, string) {
	for range 40 {
		i := g.pick(len(g.d.objs))
		ix := g.d.ix[i]
		var cands []string
		for _, k := range ix.Dates {
			cands = append(cands, k.Param)
		}
		for _, k := range ix.Strings {
			cands = append(cands, k.Param)
		}
		for _, k := range ix.Tokens {
			cands = append(cands, k.Param)
		}
		for _, k := range ix.Quantities {
			cands = append(cands, k.Param)
		}
		for _, k := range ix.References {
			cands = append(cands, k.Param)
		}
		for _, k := range ix.URIs {
			cands = append(cands, k.Param)
		}
		for _, k := range ix.Numbers {
			cands = append(cands, k.Param)
		}
		if len(cands) == 0 {
			continue
		}
		keys := []string{cands[g.pick(len(cands))]}
		if g.chance(0.5) {
			keys = append(keys, []string{"_id", "_lastUpdated", cands[g.pick(len(cands))]}[g.pick(3)])
		}
		for n := range keys {
			if g.chance(0.5) {
				keys[n] = "-" + keys[n]
			}
		}
		q := param("_sort", strings.Join(keys, ","))
		if g.chance(0.5) {
			if c := g.clauseOf(i); c != "" {
				q += "&" + c
			}
		}
		return g.typ(i), q
	}
	return "", ""
}
