package search

import (
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"dsn"
	"dsn/fhir"
)

// The brute-force evaluator: the oracle the SQL translators are checked
// against. It evaluates each clause on one resource with the FHIRPath engine
// (every expression, no hand walker, no index) and the comparison rules of
// search.html, clause by clause, resource by resource. It is slow by design.

// oracle extracts through the engine only, independently of the fast path.
var oracle = &registry{params: fhirParams, compartment: fhirCompartment, model: r4Model{}, engineOnly: true}

// Set is the resources a brute-force search runs over; chained parameters
// and _has look their targets up in it, :in and :not-in read its ValueSets.
// A test in another package stores the same resources, runs one
// dsn.SearchQuery through the store and through Set.Search, and compares.
type Set struct {
	r        *registry // oracle; std in tests to check the fast extraction
	all      []fhir.Object
	byType   map[string][]fhir.Object
	byKey    map[string]fhir.Object // "Type/id"
	memberOf func(system, code, url string) (bool, error)

	mu   sync.Mutex
	memo map[memoKey]values // a parameter's values per resource, computed once
}

type memoKey struct{ key, param string }

type values struct {
	ix    dsn.Index
	nodes []node
	ok    bool
}

// NewSet builds the Set of objs (later objects with the same Type/id win).
func NewSet(objs ...fhir.Object) *Set {
	s := &Set{r: oracle, byKey: map[string]fhir.Object{}, byType: map[string][]fhir.Object{}, memo: map[memoKey]values{}}
	canon := map[string]fhir.Object{} // "Type url" and "Type url|version"
	for _, o := range objs {
		rt := fhir.ResourceType(o)
		if rt == "" {
			continue
		}
		s.all = append(s.all, o)
		s.byType[rt] = append(s.byType[rt], o)
		s.byKey[rt+"/"+fhir.ID(o)] = o
		if u, ok := o["url"].(string); ok && (rt == "ValueSet" || rt == "CodeSystem") {
			canon[rt+" "+u] = o
			if v, ok := o["version"].(string); ok {
				canon[rt+" "+u+"|"+v] = o
			}
		}
	}
	lookup := func(typ, url string) (fhir.Object, bool) { o, ok := canon[typ+" "+url]; return o, ok }
	type expanded struct {
		e   Expansion
		err error
	}
	var mu sync.Mutex
	cache := map[string]expanded{}
	s.memberOf = func(system, code, url string) (bool, error) {
		mu.Lock()
		x, ok := cache[url]
		if !ok {
			x.e, x.err = ExpandValueSet(url, lookup)
			cache[url] = x
		}
		mu.Unlock()
		return x.e.Contains(system, code), x.err
	}
	return s
}

// Search returns the resources of q.Type ("" for every type) that match
// every clause, ordered by q.Sort (search.html#sort: ascending by each
// resource's lowest value, descending by its highest, resources without a
// value last, ties in the Set's order). Count, Cursor and the include and
// summary fields are not applied.
// Errors: KindInvalid for a clause the oracle cannot decide (unknown
// parameter, :above/:below on tokens and references, which need a
// terminology server).
func (s *Set) Search(q dsn.SearchQuery) ([]fhir.Object, error) {
	var out []fhir.Object
	list := s.all
	if q.Type != "" {
		list = s.byType[q.Type]
	}
	for _, o := range list {
		ok, err := s.matchAll(o, q.Clauses)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, o)
		}
	}
	s.sortResults(out, q.Sort)
	return out, nil
}

func (s *Set) matchAll(o fhir.Object, clauses []dsn.Clause) (bool, error) {
	for _, c := range clauses {
		ok, err := s.Match(o, c)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// Matches tells whether obj matches the clause c, without a Set: chained
// and _has clauses match nothing, and a clause the oracle cannot decide
// matches nothing either (Set.Match reports it).
func Matches(obj fhir.Object, c dsn.Clause) bool {
	ok, err := (&Set{r: oracle}).Match(obj, c)
	return ok && err == nil
}

// Match tells whether obj matches the clause c (values ORed,
// search.html#combining).
func (s *Set) Match(obj fhir.Object, c dsn.Clause) (bool, error) {
	switch {
	case c.Has != nil:
		return s.matchHas(obj, c)
	case c.Param == "_id":
		return matchAny(c, func(v dsn.Value) (bool, error) { return v.Code == fhir.ID(obj), nil })
	case c.Param == "_lastUpdated":
		meta, _ := obj["meta"].(map[string]any)
		lo, _, ok := DateRange(str(meta, "lastUpdated"))
		if !ok {
			return false, nil
		}
		hi := lo.Add(time.Microsecond) // an instant, kept to the microsecond by the stores
		return matchAny(c, func(v dsn.Value) (bool, error) { return dateMatch(v.Prefix, lo, hi, v), nil })
	}
	ix, nodes, ok := s.values(obj, c.Param)
	if !ok {
		return false, dsn.Errorf("search.Match", dsn.KindInvalid, "paramètre non évaluable pour %s: %s", fhir.ResourceType(obj), c.Param)
	}
	if c.Modifier == "missing" {
		if len(c.Values) == 0 {
			return false, dsn.Errorf("search.Match", dsn.KindInvalid, "%s:missing sans valeur", c.Param)
		}
		return (rowCount(ix) == 0) == (c.Values[0].Text == "true"), nil
	}
	if c.Chain != nil {
		return s.matchChain(ix, c)
	}
	found, err := matchAny(c, func(v dsn.Value) (bool, error) { return s.matchRows(c, v, ix, nodes) })
	if c.Modifier == "not" || c.Modifier == "not-in" {
		return !found, err // no matching value, or no value at all
	}
	return found, err
}

// matchAny is true when one of the clause's values matches.
func matchAny(c dsn.Clause, f func(dsn.Value) (bool, error)) (bool, error) {
	if len(c.Values) == 0 {
		return false, dsn.Errorf("search.Match", dsn.KindInvalid, "le paramètre %s n'a pas de valeur", c.Param)
	}
	for _, v := range c.Values {
		ok, err := f(v)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// matchChain: some reference of the clause's parameter points at a resource
// of the Set that matches the chained query (search.html#chaining).
func (s *Set) matchChain(ix dsn.Index, c dsn.Clause) (bool, error) {
	for _, r := range ix.References {
		if r.Type == "" || c.Chain.Type != "" && r.Type != c.Chain.Type {
			continue
		}
		target, ok := s.byKey[r.Type+"/"+r.ID]
		if !ok {
			continue
		}
		ok, err := s.matchAll(target, c.Chain.Clauses)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// matchHas: some resource of Has.Type refers to obj through HasRef and
// matches Has (search.html#has).
func (s *Set) matchHas(obj fhir.Object, c dsn.Clause) (bool, error) {
	rt, id := fhir.ResourceType(obj), fhir.ID(obj)
	for _, o := range s.byType[c.Has.Type] {
		ix, _, ok := s.values(o, c.HasRef)
		if !ok || !refersTo(ix.References, rt, id) {
			continue
		}
		ok, err := s.matchAll(o, c.Has.Clauses)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func refersTo(refs []dsn.RefKey, typ, id string) bool {
	for _, r := range refs {
		if r.Type == typ && r.ID == id {
			return true
		}
	}
	return false
}

// values is paramValues remembered per resource of the Set (chains and _has
// ask for the same ones over and over); resources outside the Set (Matches)
// are evaluated each time.
func (s *Set) values(obj fhir.Object, code string) (dsn.Index, []node, bool) {
	rt, id := fhir.ResourceType(obj), fhir.ID(obj)
	k := memoKey{rt + "/" + id, code}
	if s.memo == nil || id == "" || !sameObject(s.byKey[k.key], obj) {
		return s.r.paramValues(obj, code)
	}
	s.mu.Lock()
	v, ok := s.memo[k]
	s.mu.Unlock()
	if !ok {
		v.ix, v.nodes, v.ok = s.r.paramValues(obj, code)
		s.mu.Lock()
		s.memo[k] = v
		s.mu.Unlock()
	}
	return v.ix, v.nodes, v.ok
}

// sameObject tells whether two decoded resources are the same map.
func sameObject(a, b fhir.Object) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// paramValues evaluates one parameter of obj with the FHIRPath engine: its
// rows and the raw values (for :identifier). ok is false for a parameter the
// type does not have or that has no expression.
func (r *registry) paramValues(obj fhir.Object, code string) (dsn.Index, []node, bool) {
	rt := fhir.ResourceType(obj)
	if sp, ok := specialOf(rt, code); ok {
		var ix dsn.Index
		sp.rows(&ix, obj) // extracted apart (near.go)
		return ix, nil, true
	}
	p := r.plan(rt)
	i := sort.Search(len(p.params), func(i int) bool { return p.params[i].code >= code })
	if i == len(p.params) || p.params[i].code != code {
		// Known but compiled to nothing for this type: no values.
		d, ok := p.defs[code]
		return dsn.Index{}, nil, ok && d.Expression != "" && !slices.Contains(p.unsupported, code)
	}
	c := &p.params[i]
	var ix dsn.Index
	if c.parts != nil {
		ix.Composites = compositeRows(nil, c, obj, &evaluator{})
		return ix, nil, true
	}
	var vals []node
	if c.expr != nil {
		vals, _ = evalEngine(c.expr, obj, nil)
	} else {
		var ev evaluator
		for _, pa := range c.paths {
			vals = ev.eval(pa, obj, vals)
		}
	}
	addRows(&ix, c.code, c.typ, vals)
	return ix, vals, true
}

func rowCount(ix dsn.Index) int {
	return len(ix.Tokens) + len(ix.Strings) + len(ix.Dates) + len(ix.References) + len(ix.Quantities) +
		len(ix.Numbers) + len(ix.URIs) + len(ix.Composites)
}
