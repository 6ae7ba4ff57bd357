package storetest

import (
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"dsn"
	"dsn/fhir"
)

// genQuery is one generated search: type, URL query, what kind it tests.
type genQuery struct {
	typ, query, kind string
	count            int
}

// queryGen writes queries from the index rows of the stored resources, so
// that most find something and many find a little less or more than a row.
type queryGen struct {
	d   *oracleData
	rng *rand.Rand
}

var prefixes = []string{"", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

func (g *queryGen) pick(n int) int        { return g.rng.IntN(n) }
func (g *queryGen) chance(p float64) bool { return g.rng.Float64() < p }
func (g *queryGen) prefix() string        { return prefixes[g.pick(len(prefixes))] }

// esc escapes a value's separators (search.html#escaping).
func esc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`).Replace(s)
}

func param(k, v string) string { return url.Values{k: {v}}.Encode() }

// next generates one query of a random kind (empty when the kind found no
// suitable row this time).
func (g *queryGen) next() genQuery {
	kinds := []struct {
		name string
		gen  func() (string, string)
	}{
		{"token", g.one(g.token)}, {"string", g.one(g.str)}, {"date", g.one(g.date)},
		{"number", g.one(g.number)}, {"quantity", g.one(g.quantity)}, {"reference", g.one(g.reference)},
		{"uri", g.one(g.uri)}, {"composite", g.one(g.composite)}, {"of-type", g.one(g.ofType)},
		{"identifier", g.one(g.identifier)}, {"in", g.one(g.in)}, {"missing", g.one(g.missing)},
		{"id-lastUpdated", g.one(g.idLastUpdated)}, {"and", g.and}, {"chain", g.chain}, {"has", g.has},
		{"sort", g.sort}, {"sort", g.sort},
	}
	k := kinds[g.pick(len(kinds))]
	typ, q := k.gen()
	return genQuery{typ: typ, query: q, kind: k.name}
}

// clauseGen writes one parameter=value for resource i, "" if it cannot.
type clauseGen func(i int) string

// one runs a clause generator on random resources until one answers.
func (g *queryGen) one(cg clauseGen) func() (string, string) {
	return func() (string, string) {
		for range 40 {
			i := g.pick(len(g.d.objs))
			if q := cg(i); q != "" {
				return fhir.ResourceType(g.d.objs[i]), q
			}
		}
		return "", ""
	}
}

func (g *queryGen) typ(i int) string { return fhir.ResourceType(g.d.objs[i]) }

func (g *queryGen) token(i int) string {
	ts := g.d.ix[i].Tokens
	if len(ts) == 0 {
		return ""
	}
	k := ts[g.pick(len(ts))]
	sysCode := esc(k.System) + "|" + esc(k.Code)
	switch g.pick(7) {
	case 0:
		if k.Code != "" {
			return param(k.Param, sysCode)
		}
	case 1:
		if k.Code != "" {
			return param(k.Param, esc(k.Code))
		}
	case 2:
		if k.Code != "" {
			return param(k.Param, "|"+esc(k.Code))
		}
	case 3:
		if k.System != "" {
			return param(k.Param, esc(k.System)+"|")
		}
	case 4:
		if k.Code != "" {
			return param(k.Param+":not", sysCode)
		}
	case 5:
		if r := []rune(k.Text); len(r) > 0 {
			return param(k.Param+":text", esc(string(r[:1+g.pick(len(r))])))
		}
	case 6: // two values ORed, one from another resource of the type
		if j := g.sameType(i); j >= 0 && k.Code != "" {
			for _, o := range g.d.ix[j].Tokens {
				if o.Param == k.Param && o.Code != "" {
					return param(k.Param, esc(k.Code)+","+esc(o.System)+"|"+esc(o.Code))
				}
			}
		}
	}
	return ""
}

// sameType is a random other resource of i's type (-1 if none found).
func (g *queryGen) sameType(i int) int {
	for range 30 {
		if j := g.pick(len(g.d.objs)); j != i && g.typ(j) == g.typ(i) {
			return j
		}
	}
	return -1
}

func (g *queryGen) str(i int) string {
	ss := g.d.ix[i].Strings
	if len(ss) == 0 {
		return ""
	}
	k := ss[g.pick(len(ss))]
	r := []rune(k.Exact)
	switch g.pick(4) {
	case 0:
		return param(k.Param, esc(string(r[:1+g.pick(len(r))])))
	case 1:
		return param(k.Param, esc(strings.ToUpper(k.Norm[:min(len(k.Norm), 1+g.pick(6))])))
	case 2:
		return param(k.Param+":exact", esc(k.Exact))
	}
	if len(r) > 2 {
		a := g.pick(len(r) - 1)
		return param(k.Param+":contains", esc(string(r[a:a+1+g.pick(len(r)-a-1)])))
	}
	return ""
}

// dateText writes t at a random precision (search.html#date), sometimes
// with a timezone offset.
func (g *queryGen) dateText(t time.Time) string {
	if t.Year() > 9999 || t.Year() < 1 {
		return "2000"
	}
	switch g.pick(6) {
	case 0:
		return t.Format("2006")
	case 1:
		return t.Format("2006-01")
	case 2, 3:
		return t.Format("2006-01-02")
	case 4:
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.In(time.FixedZone("", -5*3600)).Format("2006-01-02T15:04-07:00")
}

func (g *queryGen) date(i int) string {
	ds := g.d.ix[i].Dates
	if len(ds) == 0 {
		return ""
	}
	k := ds[g.pick(len(ds))]
	t := k.Low
	if g.chance(0.4) {
		t = k.High.Add(-time.Microsecond)
	}
	if g.chance(0.3) {
		t = t.AddDate(0, 0, g.pick(5)-2)
	}
	return param(k.Param, g.prefix()+g.dateText(t))
}

// numText writes f with a random precision and form: 72, 72.0, 7.2e1, 72.01...
func (g *queryGen) numText(f float64) string {
	if math.Abs(f) > 1e15 {
		f = 1e15
	}
	switch g.pick(5) {
	case 0:
		return strconv.FormatFloat(f, 'f', 2, 64)
	case 1:
		return strconv.FormatFloat(f, 'e', 1, 64)
	case 2:
		return strconv.FormatFloat(f*(0.95+0.1*g.rng.Float64()), 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (g *queryGen) number(i int) string {
	ns := g.d.ix[i].Numbers
	if len(ns) == 0 {
		return ""
	}
	k := ns[g.pick(len(ns))]
	return param(k.Param, g.prefix()+g.numText(k.Value))
}

func (g *queryGen) quantity(i int) string {
	qs := g.d.ix[i].Quantities
	if len(qs) == 0 {
		return ""
	}
	k := qs[g.pick(len(qs))]
	v := g.prefix() + g.numText(k.Value)
	switch g.pick(4) {
	case 0:
		v += "|" + esc(k.System) + "|" + esc(k.Code)
	case 1:
		v += "||" + esc(k.Unit)
	case 2:
		v += "||" + esc(k.Code)
	}
	return param(k.Param, v)
}

// allowed tells whether the reference parameter of type typ may target t.
func allowed(typ, code, t string) bool {
	p, ok := fhir.SearchParams(typ)[code]
	return ok && (len(p.Targets) == 0 || slices.Contains(p.Targets, t))
}

func (g *queryGen) reference(i int) string {
	rs := g.d.ix[i].References
	if len(rs) == 0 {
		return ""
	}
	k := rs[g.pick(len(rs))]
	switch {
	case k.URL != "":
		return param(k.Param, esc(k.URL))
	case !allowed(g.typ(i), k.Param, k.Type):
		return param(k.Param, esc(k.ID))
	}
	switch g.pick(3) {
	case 0:
		return param(k.Param, k.Type+"/"+esc(k.ID))
	case 1:
		return param(k.Param+":"+k.Type, esc(k.ID))
	}
	return param(k.Param, esc(k.ID))
}

func (g *queryGen) identifier(i int) string {
	rs := g.d.ix[i].RefIdentifiers
	if len(rs) == 0 {
		return ""
	}
	k := rs[g.pick(len(rs))]
	if g.chance(0.5) {
		return param(k.Param+":identifier", esc(k.System)+"|"+esc(k.Code))
	}
	return param(k.Param+":identifier", esc(k.Code))
}

func (g *queryGen) uri(i int) string {
	us := g.d.ix[i].URIs
	if len(us) == 0 {
		return ""
	}
	k := us[g.pick(len(us))]
	switch g.pick(3) {
	case 0:
		return param(k.Param, esc(k.URI))
	case 1:
		r := []rune(k.URI)
		return param(k.Param+":below", esc(string(r[:1+g.pick(len(r))])))
	}
	return param(k.Param+":above", esc(k.URI+[]string{"", "/x", "/_history/2"}[g.pick(3)]))
}

func (g *queryGen) ofType(i int) string {
	ks := g.d.ix[i].IdentifierTypes
	if len(ks) == 0 {
		return ""
	}
	k := ks[g.pick(len(ks))]
	sys := esc(k.TypeSystem)
	if g.chance(0.3) {
		sys = ""
	}
	return param(k.Param+":of-type", sys+"|"+esc(k.TypeCode)+"|"+esc(k.Value))
}

func (g *queryGen) composite(i int) string {
	cs := g.d.ix[i].Composites
	if len(cs) == 0 {
		return ""
	}
	k := cs[g.pick(len(cs))]
	parts := make([]string, len(k.Parts))
	for n, p := range k.Parts {
		switch p.Type {
		case dsn.ParamToken:
			parts[n] = esc(p.Token.System) + "|" + esc(p.Token.Code)
			if p.Token.Code == "" {
				return ""
			}
		case dsn.ParamString:
			parts[n] = esc(p.String.Exact)
		case dsn.ParamDate:
			parts[n] = g.prefix() + g.dateText(p.Date.Low)
		case dsn.ParamQuantity:
			parts[n] = g.prefix() + g.numText(p.Quantity.Value)
			if g.chance(0.5) {
				parts[n] += "|" + esc(p.Quantity.System) + "|" + esc(p.Quantity.Code)
			}
		case dsn.ParamNumber:
			parts[n] = g.prefix() + g.numText(p.Number.Value)
		case dsn.ParamReference:
			if p.Ref.URL != "" {
				parts[n] = esc(p.Ref.URL)
			} else {
				parts[n] = esc(p.Ref.ID)
			}
		case dsn.ParamURI:
			parts[n] = esc(p.URI.URI)
		}
		if parts[n] == "" {
			return ""
		}
	}
	return param(k.Param, strings.Join(parts, "$"))
}
