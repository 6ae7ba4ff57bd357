// Package fhirpath evaluates FHIRPath 2.0.0 expressions (http://hl7.org/fhirpath/N1)
// with the FHIR R4 additions (fhirpath.html) over resources decoded by package fhir.
//
// An expression is compiled once (Compile caches by text) into a tree of nodes
// bound to their functions, then evaluated any number of times, concurrently.
package fhirpath

import (
	"sync"
	"sync/atomic"
	"time"
)

// Expression is a compiled FHIRPath expression, safe for concurrent use.
type Expression struct {
	src  string
	root expr
}

// String returns the source text.
func (e *Expression) String() string { return e.src }

// Options is what an evaluation may use besides its input. The zero value works:
// no model (types are inferred from JSON), no resolver, the current time.
type Options struct {
	Model Model
	// Variables are user environment variables (%name); values may be any item,
	// a Collection or a map[string]any resource.
	Variables map[string]any
	// Resource and RootResource override %resource and %rootResource (both
	// default to the input).
	Resource, RootResource any
	// Resolver answers resolve() for a reference string ("Patient/1", a full
	// URL); it returns nil, nil when the target is unknown. Contained targets
	// ("#p1") are found without it. Unknown "Type/id" targets resolve to a stub
	// {"resourceType":Type,"id":id} unless NoResolveStub is set.
	Resolver      func(ref string) (map[string]any, error)
	NoResolveStub bool
	// MemberOf answers memberOf(valueSetURL) for a code (system may be "").
	MemberOf func(system, code, valueSet string) (bool, error)
	// ConformsTo answers conformsTo(url) for a resource (validation against a
	// profile); an unknown profile should be an error.
	ConformsTo func(resource map[string]any, url string) (bool, error)
	// Now fixes now(), today() and timeOfDay() (default: time.Now()).
	Now time.Time
	// Trace receives trace(name) output; nil discards it.
	Trace func(name string, items Collection)
	// Strict reports, as an error, names that are not elements of the type,
	// checking the paths against the model before evaluating (typecheck.go).
	Strict bool
	// LenientChoice allows choice elements by their JSON name (valueQuantity).
	LenientChoice bool
	// MaxSteps bounds the work of one evaluation (function calls and lambda
	// iterations; default 2,000,000): past it the evaluation fails.
	MaxSteps int
	// LenientAs lets the as() function filter a collection like ofType()
	// instead of failing on more than one item (N1). The R4 core invariants
	// need it (dom-3 applies descendants().as(canonical)); the as operator
	// always filters.
	LenientAs bool
}

var (
	cache     sync.Map // string → *Expression
	cacheSize atomic.Int64
)

// maxCached bounds the cache: expressions from definitions are few, but text
// typed by users must not grow memory without limit.
const maxCached = 10000

// Compile parses src (cached: compiling the same text again is a map lookup).
// Syntax errors and unknown functions are *dsn.Error of KindInvalid.
func Compile(src string) (*Expression, error) {
	if e, ok := cache.Load(src); ok {
		return e.(*Expression), nil
	}
	root, err := parse(src)
	if err != nil {
		return nil, err
	}
	e := &Expression{src: src, root: root}
	if cacheSize.Load() < maxCached {
		v, loaded := cache.LoadOrStore(src, e)
		if loaded {
			return v.(*Expression), nil
		}
		cacheSize.Add(1)
	}
	return e, nil
}

// MustCompile is Compile for expressions known to be valid; it panics otherwise.
func MustCompile(src string) *Expression {
	e, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return e
}

// Evaluate runs the expression with input as its context (%context, $this):
// a map[string]any resource, a *Node, a Collection or nil (empty context).
// Evaluation errors are *dsn.Error of KindUnprocessable (KindInvalid for
// strict-mode type errors).
func (e *Expression) Evaluate(input any, opts *Options) (Collection, error) {
	if opts == nil {
		opts = &Options{}
	}
	in := toCollection(input)
	if opts.Strict && opts.Model != nil && len(in) == 1 {
		if n, ok := in[0].(*Node); ok && n.Type != "" {
			k := &checker{m: opts.Model}
			if _, err := k.check(e.root, []string{n.Type}); err != nil {
				return nil, err
			}
		}
	}
	c := &evalCtx{opts: opts, model: opts.Model, this: in, context: in, cacheable: comparableModel(opts.Model)}
	r, err := e.root.eval(c)
	if err != nil || len(r) == 0 {
		return nil, err
	}
	// Inside, collections are shared (literals, true/false, the input): the
	// caller gets its own slice. Nodes still point into the input's maps.
	return append(make(Collection, 0, len(r)), r...), nil
}

// Evaluate compiles and evaluates src in one call.
func Evaluate(input any, src string, opts *Options) (Collection, error) {
	e, err := Compile(src)
	if err != nil {
		return nil, err
	}
	return e.Evaluate(input, opts)
}

// toCollection turns a Go value into a collection: maps become resource nodes.
func toCollection(v any) Collection {
	switch x := v.(type) {
	case nil:
		return nil
	case Collection:
		return x
	case []any:
		out := make(Collection, 0, len(x))
		for _, it := range x {
			out = append(out, toCollection(it)...)
		}
		return out
	case map[string]any:
		return Collection{NewResource(x)}
	case int:
		return Collection{int64(x)}
	case float64:
		return Collection{decimalFromFloat(x)}
	case time.Time:
		return Collection{fromTime(x, KindDateTime, PrecMilli, true)}
	}
	return Collection{v}
}

// now is fixed for the whole evaluation (N1 §now(): "the same for every call").
func (c *evalCtx) now() time.Time {
	if c.nowT.IsZero() {
		c.nowT = c.opts.Now
		if c.nowT.IsZero() {
			c.nowT = time.Now()
		}
	}
	return c.nowT
}
