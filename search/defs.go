// Package search turns FHIR search into backend-neutral terms: it extracts the
// index rows of a resource from its search parameters' FHIRPath expressions
// (Extract) and parses the parameters of a search URL into a dsn.SearchQuery
// (Parse). It does no I/O; the store adapters turn the result into SQL.
package search

import (
	"sort"
	"sync"

	"dsn"
	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

// def is what this package needs of one SearchParameter definition.
type def struct {
	Code       string
	Type       dsn.ParamType
	Expression string
	Targets    []string
	Components []component // composite parameters: the parts, in order
}

// component is one part of a composite parameter: the code of its own
// parameter and its expression, relative to the composite's items.
type component struct {
	Param, Expression string
}

// registry holds the definitions of every resource type and the compiled
// extraction plans, built on first use and then only read (safe for
// concurrent use).
type registry struct {
	params      func(resourceType string) map[string]def
	compartment func(resourceType string) []string
	model       model    // element types; nil to find choice elements by scanning
	plans       sync.Map // resource type -> *plan
	engineOnly  bool     // tests: evaluate every expression with the FHIRPath engine
}

// std is the registry of the FHIR R4 definitions generated into package fhir.
var std = &registry{params: fhirParams, compartment: fhirCompartment, model: r4Model{}}

// r4Model defers to fhir.R4(), decoded on first use rather than at init.
type r4Model struct{}

func (r4Model) ChildType(parent, child string) (string, bool) {
	return fhir.R4().ChildType(parent, child)
}
func (r4Model) ChoiceTypes(parent, base string) ([]string, bool) {
	return fhir.R4().ChoiceTypes(parent, base)
}

// plan is the compiled extraction of one resource type.
type plan struct {
	defs        map[string]def // every parameter of the type, by code
	params      []compiled     // sorted by code
	unsupported []string       // codes whose expression this package cannot evaluate yet
	compartment []string       // param codes that place the type in the Patient compartment
	rows        rowHint        // how many rows of each kind the type's last extraction gave
	// byRoot lists, for each JSON name of the type's elements, the params
	// (indexes into params) whose every path starts at an element; a
	// resource lacking all of a param's root names gives it no value, so
	// extraction skips it (rooted).
	byRoot map[string][]int
	rooted []bool
}

// compiled is one search parameter with its expression compiled: paths for
// the hand walker when it handles the expression, else expr for the FHIRPath
// engine; a composite also has its parts.
type compiled struct {
	code  string
	typ   dsn.ParamType
	paths []path
	expr  *fhirpath.Expression
	parts []part
}

// part is one compiled component of a composite parameter: walker paths
// relative to the composite's item when the composite is walked (its paths
// set), else the engine's expression.
type part struct {
	code  string
	typ   dsn.ParamType
	paths []path
	expr  *fhirpath.Expression
}

// plan returns the compiled extraction of a resource type.
func (r *registry) plan(resourceType string) *plan {
	if p, ok := r.plans.Load(resourceType); ok {
		return p.(*plan)
	}
	p := r.compile(resourceType)
	actual, _ := r.plans.LoadOrStore(resourceType, p)
	return actual.(*plan)
}

func (r *registry) compile(resourceType string) *plan {
	defs := r.params(resourceType)
	p := &plan{defs: defs, compartment: r.compartment(resourceType)}
	for code, d := range defs {
		if code == "_id" || code == "_lastUpdated" {
			continue // columns of the resource table, not index rows
		}
		c, ok := r.compileParam(resourceType, d, defs)
		if _, sp := specialOf(resourceType, code); !ok && sp {
			continue // extracted and parsed apart (near.go)
		}
		if !ok {
			p.unsupported = append(p.unsupported, code)
			continue
		}
		if len(c.paths) > 0 || c.expr != nil {
			p.params = append(p.params, c)
		}
	}
	sort.Slice(p.params, func(i, j int) bool { return p.params[i].code < p.params[j].code })
	sort.Strings(p.unsupported)
	p.byRoot = map[string][]int{}
	p.rooted = make([]bool, len(p.params))
	for i := range p.params {
		roots, ok := rootNames(&p.params[i])
		if !ok {
			continue
		}
		p.rooted[i] = true
		for _, k := range roots {
			if l := p.byRoot[k]; len(l) == 0 || l[len(l)-1] != i {
				p.byRoot[k] = append(l, i)
			}
		}
	}
	return p
}

// rootNames lists the JSON names at least one of which a resource must have
// for c to give values: the first step of each of its walked paths, a known
// element (its choice names for value[x]). ok is false when c can give
// values whatever the resource's top elements (an engine expression, a
// path on the resource itself, through an element of unknown type, or
// ending in exists() and != false).
func rootNames(c *compiled) (names []string, ok bool) {
	if c.expr != nil && c.paths == nil || len(c.paths) == 0 {
		return nil, false
	}
	for _, pa := range c.paths {
		if len(pa) == 0 || pa[0].kind != stepChild || pa[len(pa)-1].kind == stepPresent {
			return nil, false // stepPresent gives false for nothing (Patient.deceased)
		}
		switch st := pa[0]; {
		case st.choices != nil:
			for _, ch := range st.choices {
				names = append(names, ch.key)
			}
		case st.plain:
			names = append(names, st.name)
		default:
			return nil, false // child() would also scan for name[x]
		}
	}
	return names, true
}

// compileParam compiles one parameter: through the walker when its subset
// covers the expression, else through the FHIRPath engine. ok is false for
// special parameters and those without an expression (_text, _filter...).
func (r *registry) compileParam(resourceType string, d def, defs map[string]def) (compiled, bool) {
	c := compiled{code: d.Code, typ: d.Type}
	if d.Type == dsn.ParamComposite {
		return r.compileComposite(resourceType, c, d, defs)
	}
	if !extractable(d.Type) || d.Expression == "" {
		return c, false
	}
	if !r.engineOnly {
		if paths, ok := compileExpr(d.Expression, resourceType); ok {
			for _, pa := range paths {
				annotate(r.model, resourceType, pa)
			}
			c.paths = paths
			return c, true
		}
	}
	e, err := compileEngine(d.Expression)
	if err != nil {
		return c, false
	}
	c.expr = e
	return c, true
}

// compileComposite compiles a composite parameter (search.html#composite):
// its expression selects items, each component's expression (relative to an
// item) selects the values of a parameter of the same resource type.
func (r *registry) compileComposite(resourceType string, c compiled, d def, defs map[string]def) (compiled, bool) {
	e, err := compileEngine(d.Expression)
	if err != nil || len(d.Components) < 2 {
		return c, false
	}
	c.expr = e
	walk := !r.engineOnly
	itemType := "" // the items' type when every item path ends on the same one
	if walk {
		c.paths, walk = compileExpr(d.Expression, resourceType)
		for i, pa := range c.paths {
			t := annotate(r.model, resourceType, pa)
			if i > 0 && t != itemType {
				t = ""
			}
			itemType = t
		}
	}
	for _, comp := range d.Components {
		cd, ok := defs[comp.Param]
		if !ok || !extractable(cd.Type) {
			return c, false
		}
		ce, err := compileEngine(comp.Expression)
		if err != nil {
			return c, false
		}
		pt := part{code: comp.Param, typ: cd.Type, expr: ce}
		if walk {
			// Relative paths, annotated from the items' type when it is
			// one (Observation.component); otherwise the walker scans for
			// choice elements (Observation | Observation.component).
			pt.paths, walk = compileExpr(comp.Expression, "")
			for _, pa := range pt.paths {
				if itemType != "" {
					annotate(r.model, itemType, pa)
				}
			}
		}
		c.parts = append(c.parts, pt)
	}
	if !walk {
		c.paths = nil // the engine evaluates the whole composite
	}
	return c, true
}

// extractable tells whether values of a parameter type become index rows.
func extractable(t dsn.ParamType) bool {
	switch t {
	case dsn.ParamToken, dsn.ParamString, dsn.ParamDate, dsn.ParamReference,
		dsn.ParamQuantity, dsn.ParamNumber, dsn.ParamURI:
		return true
	}
	return false // composite (compiled apart) and special
}

// Unsupported lists, sorted, the search parameters of resourceType that
// search does not answer: those NotExtracted returns (Location near and the
// parameters without expression: _text, _content, _filter...). The
// CapabilityStatement leaves them out.
func Unsupported(resourceType string) []string { return NotExtracted(resourceType) }

// NotExtracted lists, sorted, the search parameters of resourceType whose
// values are not extracted: special parameters (Location near) and those
// without an expression (_text, _content, _filter...).
func NotExtracted(resourceType string) []string {
	return append([]string(nil), std.plan(resourceType).unsupported...)
}
