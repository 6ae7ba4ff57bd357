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
)

// def is what this package needs of one SearchParameter definition.
type def struct {
	Code       string
	Type       dsn.ParamType
	Expression string
	Targets    []string
}

// registry holds the definitions of every resource type and the compiled
// extraction plans, built on first use and then only read (safe for
// concurrent use).
type registry struct {
	params      func(resourceType string) map[string]def
	compartment func(resourceType string) []string
	model       model    // element types; nil to find choice elements by scanning
	plans       sync.Map // resource type -> *plan
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
}

// compiled is one search parameter with its expression compiled.
type compiled struct {
	code  string
	typ   dsn.ParamType
	paths []path
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
		paths, ok := compileExpr(d.Expression, resourceType)
		for _, pa := range paths {
			annotate(r.model, resourceType, pa)
		}
		if !ok || !extractable(d.Type) {
			p.unsupported = append(p.unsupported, code)
			continue
		}
		if len(paths) > 0 {
			p.params = append(p.params, compiled{code: code, typ: d.Type, paths: paths})
		}
	}
	sort.Slice(p.params, func(i, j int) bool { return p.params[i].code < p.params[j].code })
	sort.Strings(p.unsupported)
	return p
}

// extractable tells whether values of a parameter type become index rows.
func extractable(t dsn.ParamType) bool {
	switch t {
	case dsn.ParamToken, dsn.ParamString, dsn.ParamDate, dsn.ParamReference,
		dsn.ParamQuantity, dsn.ParamNumber, dsn.ParamURI:
		return true
	}
	return false // composite and special: not yet
}

// Unsupported lists, sorted, the search parameters of resourceType whose
// values are not extracted yet (composite and special parameters, and
// expressions outside the subset this package evaluates). The
// CapabilityStatement leaves them out.
func Unsupported(resourceType string) []string {
	return append([]string(nil), std.plan(resourceType).unsupported...)
}
