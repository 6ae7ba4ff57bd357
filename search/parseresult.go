package search

import (
	"strings"

	"dsn"
)

// sortKeys reads _sort=key[,-key...] (search.html#sort): parameters of the
// searched type, "-" for descending. One unknown key refuses the whole _sort.
func (p *parser) sortKeys(value string) {
	var keys []dsn.SortKey
	for _, k := range strings.Split(value, ",") {
		k = strings.TrimSpace(k)
		desc := strings.HasPrefix(k, "-")
		k = strings.TrimPrefix(k, "-")
		d, ok := p.lookup(k)
		if !ok || d.Type == dsn.ParamComposite || d.Type == dsn.ParamSpecial {
			p.refuseFor("_sort", "value", "sort", k)
			return
		}
		keys = append(keys, dsn.SortKey{Param: k, Desc: desc, Type: d.Type})
	}
	p.q.Sort = append(p.q.Sort, keys...)
}

// include reads _include / _revinclude = Source:param[:Target] or "*"
// (search.html#include), with :iterate (R4 also names it :recurse).
func (p *parser) include(name, mod, value string) {
	if mod != "" && mod != "iterate" && mod != "recurse" {
		p.refuse(name, "not-supported", "include.modifier", name, mod)
		return
	}
	inc := dsn.Include{Iterate: mod != ""}
	parts := strings.Split(value, ":")
	switch {
	case value == "*":
		inc.Source, inc.Param = p.rt, "*"
	case len(parts) == 2 || len(parts) == 3:
		inc.Source, inc.Param = parts[0], parts[1]
		if len(parts) == 3 {
			inc.Target = parts[2]
		}
	default:
		p.refuse(name, "value", "include.form", name, value)
		return
	}
	if err := p.checkInclude(inc); err != nil {
		p.refused1(err.code, after(name+"="+value, err.msg))
		return
	}
	if name == "_include" {
		p.q.Includes = append(p.q.Includes, inc)
	} else {
		p.q.RevIncludes = append(p.q.RevIncludes, inc)
	}
}

func (p *parser) checkInclude(inc dsn.Include) *valueErr {
	if inc.Source == "" || !p.known(inc.Source) {
		return bad("include.source", inc.Source)
	}
	if inc.Param == "*" {
		if inc.Target != "" {
			return bad("include.star")
		}
		return nil
	}
	d, ok := p.r.params(inc.Source)[inc.Param]
	if !ok || d.Type != dsn.ParamReference {
		return bad("include.ref", inc.Param, inc.Source)
	}
	if inc.Target != "" && (!p.known(inc.Target) || len(d.Targets) > 0 && !contains(d.Targets, inc.Target)) {
		return bad("include.target", inc.Target, inc.Source, inc.Param)
	}
	return nil
}

// summaryParam reads _summary (search.html#summary); count also asks for the total.
func (p *parser) summaryParam(value string) {
	switch value {
	case "true", "text", "data", "false":
	case "count":
		p.q.Total = true
	default:
		p.refuse("_summary", "value", "summary", value)
		return
	}
	p.q.Summary = value
}

// elements reads _elements=a,b (search.html#elements): element names of the
// resource (the store keeps the mandatory ones and meta).
func (p *parser) elements(value string) {
	var names []string
	for _, e := range strings.Split(value, ",") {
		e = strings.TrimSpace(e)
		if !isName(e) && !(strings.Contains(e, ".") && isName(strings.ReplaceAll(e, ".", "_"))) {
			p.refuse("_elements", "value", "elements", e)
			return
		}
		names = append(names, e)
	}
	p.q.Elements = append(p.q.Elements, names...)
}
