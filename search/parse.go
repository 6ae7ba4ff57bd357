package search

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"dsn"
)

// MaxCount caps _count: a page never holds more than this many matches.
const MaxCount = 1000

// Parse turns the parameters of a search URL into a dsn.SearchQuery
// (search.html): each parameter is a clause and repeated parameters are ANDed,
// comma-separated values are ORed (search.html#combining), values are read by
// the parameter's type with its prefixes and modifiers. It reads the whole of
// search: chained parameters (Clause.Chain, several levels), reverse chains
// (_has, Clause.Has), composite values (Value.Components), the modifiers
// :of-type, :identifier, :in, :not-in, :above, :below, and the result
// parameters _sort, _include, _revinclude (with :iterate and *), _total,
// _summary and _elements into the SearchQuery fields.
//
// strict follows the Prefer: handling header (search.html#errors): when false
// (lenient) an unknown, unsupported or malformed parameter is ignored and
// reported as a warning Issue; when true it fails the whole search with a
// *dsn.Error of KindInvalid listing every problem.
func Parse(resourceType string, params url.Values, strict bool) (dsn.SearchQuery, []dsn.Issue, error) {
	return std.parse(resourceType, params, strict)
}

// ParseAll is Parse; the name remains from when Parse read only what the
// stores evaluated.
func ParseAll(resourceType string, params url.Values, strict bool) (dsn.SearchQuery, []dsn.Issue, error) {
	return std.parse(resourceType, params, strict)
}

// parser collects the clauses and the problems of one search.
type parser struct {
	r       *registry
	rt      string
	defs    map[string]def
	strict  bool
	q       dsn.SearchQuery
	issues  []dsn.Issue
	refused bool // a problem that strict handling turns into an error
	depth   int  // chain and _has nesting of this parser (sub-queries)
}

func (r *registry) parse(resourceType string, params url.Values, strict bool) (dsn.SearchQuery, []dsn.Issue, error) {
	return r.parseWith(&parser{r: r, rt: resourceType, strict: strict, q: dsn.SearchQuery{Type: resourceType}}, params)
}

func (r *registry) parseWith(p *parser, params url.Values) (dsn.SearchQuery, []dsn.Issue, error) {
	resourceType := p.rt
	if resourceType != "" {
		p.defs = r.plan(resourceType).defs
		if len(p.defs) == 0 {
			return dsn.SearchQuery{}, nil, dsn.Errorf("search.Parse", dsn.KindNotFound, "type de ressource inconnu: %s", resourceType)
		}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range params[k] {
			p.param(k, v)
		}
	}
	if p.strict && p.refused {
		return dsn.SearchQuery{}, p.issues, &dsn.Error{Op: "search.Parse", Kind: dsn.KindInvalid,
			Msg: within("refused", p.summary()).FR, English: within("refused", p.summary()).EN, Issues: p.issues}
	}
	return p.q, p.issues, nil
}

// param handles one occurrence of one URL parameter.
func (p *parser) param(key, value string) {
	name, mod, _ := strings.Cut(key, ":")
	if p.fullParam(key, name, mod, value) {
		return
	}
	switch name {
	case "_format", "_pretty":
		return // answered by the HTTP layer
	case "_count":
		p.count(value)
		return
	case "_cursor":
		p.q.Cursor = value // our own opaque paging token (SearchResult.Next)
		return
	case "_total":
		p.q.TotalMode = value
		switch value {
		case "none":
			p.q.Total = false
		case "estimate", "accurate":
			p.q.Total = true
		default:
			p.refuse(key, "value", "total", value)
		}
		return
	case "_contained", "_containedType":
		p.later(key)
		return
	case "_filter", "_text", "_content", "_query", "_list", "_type":
		p.refuse(key, "not-supported", "param.no", key)
		return
	}
	d, ok := p.lookup(name)
	if !ok {
		p.unknown(key, name)
		return
	}
	if mod != "" && (name == "_id" || name == "_lastUpdated") {
		// Columns of the resource table: no modifier applies (search.html#id).
		p.refuse(key, "not-supported", "param.column", mod, name)
		return
	}
	if value == "" {
		p.refuse(key, "value", "param.empty", key)
		return
	}
	c, err := p.clause(d, mod, value)
	if err != nil {
		p.refused1(err.code, after(key, err.msg))
		return
	}
	p.q.Clauses = append(p.q.Clauses, c)
}

// lookup finds a parameter definition; _id and _lastUpdated exist on every type,
// including a search across all types.
func (p *parser) lookup(name string) (def, bool) {
	switch name {
	case "_id":
		return def{Code: "_id", Type: dsn.ParamToken}, true
	case "_lastUpdated":
		return def{Code: "_lastUpdated", Type: dsn.ParamDate}, true
	}
	if p.rt == "" && resourceParams[name] {
		// search across types: the parameters every resource has
		// (search.html#all), defined once on Resource, hence on Patient too
		d, ok := p.r.params("Patient")[name]
		return d, ok
	}
	d, ok := p.defs[name]
	return d, ok
}

// resourceParams are the parameters of Resource besides _id and
// _lastUpdated, which a search across every type accepts.
var resourceParams = map[string]bool{"_tag": true, "_profile": true, "_security": true, "_source": true}

func (p *parser) count(value string) {
	n, err := strconv.Atoi(value)
	switch {
	case err != nil || n < 0:
		p.refuse("_count", "value", "count", value)
	case n == 0: // search.html#count: the total alone, as _summary=count
		p.q.Total = true
		if p.q.Summary == "" {
			p.q.Summary = "count"
		}
	case n > MaxCount:
		p.q.Count = MaxCount
		p.note("_count", say("count.max", MaxCount))
	default:
		p.q.Count = n
	}
}

// refuse records a problem, the sentence id (messages.go) with args: an
// error under strict handling, else a warning.
func (p *parser) refuse(_, code, id string, args ...any) {
	p.refused1(code, say(id, args...))
}

// refused1 is refuse of a sentence already said.
func (p *parser) refused1(code string, msg text) {
	p.refused = true
	sev := "warning"
	if p.strict {
		sev = "error"
	} else {
		msg = within("ignored", msg)
	}
	p.issues = append(p.issues, dsn.Issue{Severity: sev, Code: code, Diagnostics: msg.FR, English: msg.EN})
}

// refuseFor is refuse of a sentence naming the searched type last, or
// its id-* form for the search across all types.
func (p *parser) refuseFor(key, code, id string, args ...any) {
	if p.rt == "" {
		p.refuse(key, code, id+"-*", args...)
		return
	}
	p.refuse(key, code, id, append(args, p.rt)...)
}

// unknown refuses a parameter the searched type does not have.
func (p *parser) unknown(key, name string) {
	if p.rt == "" {
		p.refuse(key, "not-found", "param.unknown-*", name)
		return
	}
	p.refuse(key, "not-found", "param.unknown", p.rt, name)
}

// later records an accepted parameter whose effect is not applied yet.
func (p *parser) later(param string) {
	p.note(param, say("later", param))
}

func (p *parser) note(_ string, msg text) {
	p.issues = append(p.issues, dsn.Issue{Severity: "warning", Code: "not-supported", Diagnostics: msg.FR, English: msg.EN})
}

// summary joins the errors' sentences, in both languages.
func (p *parser) summary() text {
	var fr, en []string
	for _, is := range p.issues {
		if is.Severity == "error" {
			fr = append(fr, is.Diagnostics)
			en = append(en, is.English)
		}
	}
	return text{FR: strings.Join(fr, "; "), EN: strings.Join(en, "; ")}
}
