package search

import (
	"strings"

	"dsn"
)

// maxDepth bounds the nesting of chains and _has (each level is a join or a
// sub-query in the store).
const maxDepth = 4

// fullParam reads chains, _has and the result parameters; false lets param
// go on with plain parameters.
func (p *parser) fullParam(key, name, mod, value string) bool {
	if sp, ok := specialOf(p.rt, name); ok {
		sp.parse(p, key, mod, value)
		return true
	}
	switch {
	case name == "_has":
		p.has(key, value)
	case name == "_sort":
		p.sortKeys(value)
	case name == "_include" || name == "_revinclude":
		p.include(name, mod, value)
	case name == "_summary":
		p.summaryParam(value)
	case name == "_elements":
		p.elements(value)
	case strings.Contains(key, ".") && !strings.HasPrefix(key, "_"):
		p.chain(key, value)
	default:
		return false
	}
	return true
}

// child is a parser for a sub-query on another type (chain target, _has source).
func (p *parser) child(resourceType string) *parser {
	return &parser{r: p.r, rt: resourceType, defs: p.r.plan(resourceType).defs, strict: p.strict,
		depth: p.depth + 1, q: dsn.SearchQuery{Type: resourceType}}
}

// sub parses one parameter in a child parser and returns its single clause;
// ok is false when the parameter was refused (the child's issues say why).
func (p *parser) sub(c *parser, key, value string) (dsn.SearchQuery, bool) {
	before := len(c.issues)
	c.param(key, value)
	p.issues = append(p.issues, c.issues...)
	p.refused = p.refused || c.refused
	if len(c.q.Clauses) != 1 {
		if len(c.issues) == before { // a result parameter (_count...) has no place in a chain
			p.refuse(key, "value", "param.criterion", key)
		}
		return dsn.SearchQuery{}, false
	}
	return dsn.SearchQuery{Type: c.rt, Clauses: c.q.Clauses}, true
}

// known tells whether a resource type has search parameters (without
// caching a plan for a name read from a URL).
func (p *parser) known(resourceType string) bool {
	return isName(resourceType) && len(p.r.params(resourceType)) > 0
}

// chain reads "ref[:Type].param[...]=value" (search.html#chaining): the
// reference's target must match the rest, parsed on the target type.
func (p *parser) chain(key, value string) {
	head, rest, _ := strings.Cut(key, ".")
	name, typ, _ := strings.Cut(head, ":")
	d, ok := p.lookup(name)
	switch {
	case !ok:
		p.unknown(key, name)
		return
	case d.Type != dsn.ParamReference:
		p.refuse(key, "value", "chain.no-ref", name)
		return
	case p.depth+1 >= maxDepth:
		p.refuse(key, "too-costly", "chain.depth", maxDepth)
		return
	case rest == "":
		p.refuse(key, "value", "chain.empty", key)
		return
	}
	target, err := p.chainTarget(d, typ, rest)
	if err != nil {
		p.refused1(err.code, after(key, err.msg))
		return
	}
	q, ok := p.sub(p.child(target), rest, value)
	if !ok {
		return
	}
	p.q.Clauses = append(p.q.Clauses, dsn.Clause{Param: name, Type: dsn.ParamReference, Modifier: typ, Chain: &q})
}

// chainTarget picks the type a chain continues on: the :Type modifier, the
// single target, or the only target that has the chained parameter.
func (p *parser) chainTarget(d def, typ, rest string) (string, *valueErr) {
	if typ != "" {
		if !p.known(typ) || typ[0] < 'A' || typ[0] > 'Z' {
			return "", bad("chain.type", typ)
		}
		if len(d.Targets) > 0 && !contains(d.Targets, typ) {
			return "", bad("chain.target", typ, strings.Join(d.Targets, ", "))
		}
		return typ, nil
	}
	if len(d.Targets) == 1 {
		return d.Targets[0], nil
	}
	next := rest
	if i := strings.IndexAny(next, ".:"); i >= 0 {
		next = next[:i]
	}
	var cands []string
	for _, t := range d.Targets {
		if _, ok := p.r.params(t)[next]; ok || next == "_id" || next == "_lastUpdated" {
			cands = append(cands, t)
		}
	}
	if len(cands) != 1 {
		return "", bad("chain.which", d.Code, rest)
	}
	return cands[0], nil
}

// has reads "_has:Type:ref:param=value" (search.html#has): some resource of
// Type referencing this one through ref matches param=value (which may be
// another _has).
func (p *parser) has(key, value string) {
	parts := strings.SplitN(key, ":", 4)
	if len(parts) != 4 || parts[3] == "" {
		p.refuse(key, "value", "has.form", key)
		return
	}
	typ, ref, rest := parts[1], parts[2], parts[3]
	if !p.known(typ) || typ[0] < 'A' || typ[0] > 'Z' {
		p.refuse(key, "not-found", "has.type", key, typ)
		return
	}
	rd, ok := p.r.params(typ)[ref]
	switch {
	case !ok || rd.Type != dsn.ParamReference:
		p.refuse(key, "not-found", "has.ref", key, ref, typ)
		return
	case p.rt != "" && len(rd.Targets) > 0 && !contains(rd.Targets, p.rt):
		p.refuse(key, "value", "has.target", key, typ, ref, p.rt)
		return
	case p.depth+1 >= maxDepth:
		p.refuse(key, "too-costly", "has.depth", maxDepth)
		return
	}
	q, ok := p.sub(p.child(typ), rest, value)
	if !ok {
		return
	}
	p.q.Clauses = append(p.q.Clauses, dsn.Clause{Param: "_has", Type: dsn.ParamSpecial, Has: &q, HasRef: ref})
}
