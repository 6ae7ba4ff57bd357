package search

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

// The FHIRPath engine (package fhirpath) evaluates every R4 search-parameter
// expression. Extraction uses it for the expressions the hand walker
// (expr.go, walk.go) does not compile, for composite parameters and, in
// tests, for every parameter to prove both give the same rows
// (TestWalkerAgreesWithEngine). The walker stays the fast path: an R4
// Observation extracts several times faster through it.

// compileEngine compiles an expression for the engine, first correcting the
// one type-name slip of the R4 definitions: the composite Observation
// code-value-date has the component "value.as(DateTime)", where the FHIR type
// is dateTime (the engine, as the R4 suite requires, matches FHIR primitive
// types exactly in as()); its own value-date parameter says "as dateTime".
func compileEngine(expr string) (*fhirpath.Expression, error) {
	return fhirpath.Compile(strings.ReplaceAll(expr, "as(DateTime)", "as(dateTime)"))
}

// engineOptions are the evaluation options of extraction: the R4 model (so
// choice elements and types resolve) and resolve() answering a stub for
// "Type/id" references, enough for where(resolve() is Patient).
var engineOptions = sync.OnceValue(func() *fhirpath.Options {
	return &fhirpath.Options{Model: fhir.R4()}
})

// evalEngine evaluates e on input (a resource map or a *fhirpath.Node) and
// appends the results as nodes.
func evalEngine(e *fhirpath.Expression, input any, out []node) ([]node, error) {
	coll, err := e.Evaluate(input, engineOptions())
	if err != nil {
		return out, err
	}
	for _, it := range coll {
		if n, ok := engineNode(it); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// engineNode converts one engine result into the walker's node: FHIR
// elements keep their JSON value and FHIR type; an Extension with a value[x]
// becomes its value, as the walker's extension('url') step does; system
// values become the JSON shapes the row builders read.
func engineNode(it any) (node, bool) {
	switch v := it.(type) {
	case *fhirpath.Node:
		if v.Value == nil {
			return node{}, false
		}
		if obj, ok := v.Value.(map[string]any); ok && v.Type == "Extension" {
			if val, typ, ok := choice(obj, "value"); ok {
				return node{v: val, typ: typ}, true
			}
		}
		return node{v: v.Value, typ: v.Type}, true
	case bool, string:
		return node{v: v}, true
	case int64:
		return node{v: json.Number(fmt.Sprint(v))}, true
	case fhirpath.Decimal:
		return node{v: json.Number(v.String())}, true
	case fmt.Stringer:
		return node{v: v.String()}, true
	}
	return node{}, false
}
