package search

import (
	"slices"
	"strings"
	"sync"

	"dsn"
	"dsn/fhir"
	"dsn/internal/scratch"
)

// node is one value met while walking a resource: a JSON value and, when it
// came from a choice element (valueQuantity), the FHIR type of the choice.
type node struct {
	v   any
	typ string // "Quantity", "DateTime"... ; "" when the element is not a choice
}

// evaluator holds two scratch collections reused across paths, so that
// walking allocates only when a collection outgrows them.
type evaluator struct {
	a, b []node
	// Scratch of composite extraction (composite.go).
	items, vals []node
	objs        []any
	ix          dsn.Index
	parts       [][]dsn.CompositePart
	// out collects one parameter's values (extract.go).
	out []node
	// present marks the params whose root elements obj has (live).
	present []bool
}

// live marks, for each param of p, whether obj has one of the top
// elements its paths start at (plan.byRoot): one lookup per element of
// obj instead of walking every param's paths from the root.
func (e *evaluator) live(p *plan, obj map[string]any) []bool {
	if cap(e.present) < len(p.params) {
		e.present = make([]bool, len(p.params))
	}
	present := e.present[:len(p.params)]
	clear(present)
	for k := range obj {
		for _, i := range p.byRoot[k] {
			present[i] = true
		}
	}
	return present
}

// evaluators keep their scratch from one Extract to the next: starting
// empty, an Observation's extraction spent a fifth of its time growing
// them (BenchmarkExtractObservationVital, docs/benchmarks.md 2026-12-07).
var evaluators = sync.Pool{New: func() any { return new(evaluator) }}

// release clears what ev's scratch points into (the resource just
// indexed, so that the pool does not keep it alive) and returns ev to the
// pool. Scratch that grew past maxScratch (a ValueSet's thousands of codes)
// is dropped rather than cleared after every later, smaller extraction.
func (e *evaluator) release() {
	e.a = scrub(e.a)
	e.b = scrub(e.b)
	e.items = scrub(e.items)
	e.vals = scrub(e.vals)
	e.objs = scrub(e.objs)
	e.out = scrub(e.out)
	for i, p := range e.parts {
		e.parts[i] = scrub(p)
	}
	ix := &e.ix
	ix.Tokens = scrub(ix.Tokens)
	ix.Strings = scrub(ix.Strings)
	ix.Dates = scrub(ix.Dates)
	ix.References = scrub(ix.References)
	ix.Quantities = scrub(ix.Quantities)
	ix.Numbers = scrub(ix.Numbers)
	ix.URIs = scrub(ix.URIs)
	evaluators.Put(e)
}

// maxScratch is the capacity up to which a scratch slice is kept for the
// next extraction.
const maxScratch = 256

// scrub zeroes s up to its capacity, or drops it past maxScratch.
func scrub[T any](s []T) []T { return scratch.Reset(s, maxScratch) }

// eval walks p from the resource root and appends the values it reaches to out.
func (e *evaluator) eval(p path, root map[string]any, out []node) []node {
	cur := append(e.a[:0], node{v: root})
	for _, st := range p {
		switch st.kind {
		case stepPresent:
			present := slices.ContainsFunc(cur, func(n node) bool { return n.v != false })
			cur = append(cur[:0], node{v: present})
			continue
		case stepIndex:
			if st.index >= len(cur) {
				cur = cur[:0]
			} else {
				cur = append(cur[:0], cur[st.index])
			}
			continue
		}
		next := e.b[:0]
		for _, n := range cur {
			next = apply(st, n, next)
		}
		e.a, e.b = next, cur
		cur = next
	}
	e.a = cur
	return append(out, cur...)
}

func apply(st step, n node, out []node) []node {
	obj, isObj := n.v.(map[string]any)
	switch st.kind {
	case stepChild:
		if !isObj {
			break
		}
		if st.plain {
			return appendValue(out, obj[st.name], "")
		}
		if st.choices != nil {
			for _, c := range st.choices {
				if v, ok := obj[c.key]; ok {
					return appendValue(out, v, c.typ)
				}
			}
			return out
		}
		return child(obj, st.name, out)
	case stepAs:
		if n.typ == "" || strings.EqualFold(n.typ, st.typ) {
			out = append(out, n)
		}
	case stepResolveIs:
		if isObj && refTargetIs(obj, st.typ) {
			out = append(out, n)
		}
	case stepWhereEq:
		if isObj {
			if s, _ := obj[st.name].(string); s == st.lit {
				out = append(out, n)
			}
		}
	case stepExtension:
		if isObj {
			if u, _ := obj["url"].(string); u == st.lit {
				// The parameter indexes the extension's value[x]; a complex
				// extension (no value) stays itself for further steps.
				if v, typ, ok := choice(obj, "value"); ok {
					return append(out, node{v: v, typ: typ})
				}
				out = append(out, n)
			}
		}
	}
	return out
}

// child appends obj's element name; arrays are flattened, and a missing name
// is looked up as a choice element (name + Type).
func child(obj map[string]any, name string, out []node) []node {
	v, ok := obj[name]
	typ := ""
	if !ok {
		if v, typ, ok = choice(obj, name); !ok {
			return out
		}
	}
	return appendValue(out, v, typ)
}

// appendValue appends v, or each item of v if it is an array.
func appendValue(out []node, v any, typ string) []node {
	if arr, isArr := v.([]any); isArr {
		for _, item := range arr {
			if item != nil {
				out = append(out, node{v: item, typ: typ})
			}
		}
		return out
	}
	if v == nil {
		return out
	}
	return append(out, node{v: v, typ: typ})
}

// choice finds the element name[x] of obj (json.html#choice: at most one
// valueQuantity, valueString... is present) and returns its type suffix.
func choice(obj map[string]any, name string) (any, string, bool) {
	for k, v := range obj {
		if len(k) > len(name) && k[len(name)] >= 'A' && k[len(name)] <= 'Z' && k[:len(name)] == name {
			return v, k[len(name):], true
		}
	}
	return nil, "", false
}

// refTargetIs tells whether the Reference obj points to a resource of type t,
// from Reference.type or from the reference's "Type/id" tail.
func refTargetIs(obj map[string]any, t string) bool {
	if rt, _ := obj["type"].(string); rt != "" {
		return rt == t
	}
	ref, _ := obj["reference"].(string)
	rt, _, ok := splitRef(ref)
	return ok && rt == t
}

// splitRef splits a literal reference into its type and id, for relative
// ("Patient/123"), versioned ("Patient/123/_history/2") and absolute
// ("https://x/fhir/Patient/123") forms (references.html#literal).
func splitRef(ref string) (typ, id string, ok bool) {
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	j := strings.LastIndexByte(ref, '/')
	if j <= 0 || j == len(ref)-1 {
		return "", "", false
	}
	id = ref[j+1:]
	head := ref[:j]
	typ = head[strings.LastIndexByte(head, '/')+1:]
	if !isName(typ) || typ[0] < 'A' || typ[0] > 'Z' || !validID(id) {
		return "", "", false
	}
	return typ, id, true
}

// validID checks the FHIR id syntax (datatypes.html#id).
func validID(id string) bool { return fhir.ValidID(id) }
