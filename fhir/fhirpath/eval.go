package fhirpath

import (
	"strings"
	"time"
)

// Collection is an ordered FHIRPath collection. Items are bool, string, int64,
// Decimal, DateTime, Quantity (the System types) or *Node (FHIR data).
type Collection []any

// expr is a compiled expression node: evaluation walks this tree once, with no
// further parsing or lookup (functions are bound at compile time).
type expr interface {
	eval(c *evalCtx) (Collection, error)
}

// evalCtx carries the state of one evaluation: the focus ($this), $index,
// $total and the caller's options.
type evalCtx struct {
	opts    *Options
	model   Model
	this    Collection
	index   int
	total   Collection
	context Collection
	depth   int
	nowT    time.Time
	// cacheable says path steps may cache model answers for this model.
	cacheable bool
	steps     int    // function calls and lambda iterations so far (maxSteps)
	locals    *scope // defineVariable() names in scope (define.go)
}

// Limits that keep a hostile or mistaken expression from exhausting the
// server: evaluation steps (calls and lambda iterations) and string size.
const (
	defaultMaxSteps = 2_000_000
	maxString       = 1 << 20
)

// step counts one unit of work and fails past Options.MaxSteps.
func (c *evalCtx) step() error {
	limit := c.opts.MaxSteps
	if limit <= 0 {
		limit = defaultMaxSteps
	}
	if c.steps++; c.steps > limit {
		return evalErr("expression trop coûteuse (plus de %d étapes)", limit)
	}
	return nil
}

// maxDepth bounds recursion through repeat()/descendants() and nested calls.
const maxDepth = 200

// literalExpr is a constant collection (literals, {}).
type literalExpr struct{ val Collection }

func lit(v any) *literalExpr                             { return &literalExpr{val: Collection{v}} }
func (e *literalExpr) eval(*evalCtx) (Collection, error) { return e.val, nil }

type thisExpr struct{}
type indexVarExpr struct{}
type totalExpr struct{}

func (thisExpr) eval(c *evalCtx) (Collection, error)     { return c.this, nil }
func (indexVarExpr) eval(c *evalCtx) (Collection, error) { return Collection{int64(c.index)}, nil }
func (totalExpr) eval(c *evalCtx) (Collection, error)    { return c.total, nil }

func dollarExpr(name string) expr {
	switch name {
	case "$index":
		return indexVarExpr{}
	case "$total":
		return totalExpr{}
	}
	return thisExpr{}
}

// varExpr is an environment variable: %resource, %context, %ucum, user ones.
type varExpr struct{ name string }

func (e *varExpr) eval(c *evalCtx) (Collection, error) {
	if v, ok := c.variable(e.name); ok {
		return v, nil
	}
	return nil, evalErr("variable %%%s inconnue", e.name)
}

// memberExpr navigates to the children called name of each item of x (or of
// $this when x is nil, which also lets a type name such as "Patient" select the
// context resource; N1 §Path selection).
type memberExpr struct {
	x     expr
	name  string
	uname string // "_" + name, the primitive companion's key
	info  infoCache
}

func (e *memberExpr) eval(c *evalCtx) (Collection, error) {
	in := c.this
	if e.x != nil {
		var err error
		if in, err = e.x.eval(c); err != nil {
			return nil, err
		}
	} else if len(in) > 0 && isTypeName(e.name) {
		if out, ok := c.typeFilter(in, e.name); ok {
			return out, nil
		}
	}
	var out Collection
	for _, it := range in {
		n, ok := it.(*Node)
		if !ok {
			continue
		}
		var err error
		if out, err = c.child(n, e, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func isTypeName(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// typeFilter handles a path starting with a type name: the items of that type
// (Patient.name on a Patient); ok is false when the name is not a type here.
func (c *evalCtx) typeFilter(in Collection, name string) (Collection, bool) {
	is := func(it any) bool {
		n, ok := it.(*Node)
		return ok && n.Type != "" && (n.Type == name || isSubtype(c.model, n.Type, name))
	}
	matched := 0
	for _, it := range in {
		if is(it) {
			matched++
		}
	}
	if matched == len(in) {
		return in, true // the usual case, Patient.x on a Patient: no copy
	}
	if matched > 0 {
		out := make(Collection, 0, matched)
		for _, it := range in {
			if is(it) {
				out = append(out, it)
			}
		}
		return out, true
	}
	if c.model != nil && c.model.IsResourceType(name) {
		return nil, true // Encounter.x on a Patient: nothing (strict mode reports it, typecheck.go)
	}
	return nil, false
}

func (c *evalCtx) child(n *Node, e *memberExpr, out Collection) (Collection, error) {
	name := e.name
	if n.isPrimitive() {
		if name == "id" || name == "extension" {
			return n.primitiveChildren(c.model, name, out), nil
		}
		if name == "value" && n.Type == "" {
			return out, nil
		}
	}
	ci := e.info.get(c.model, c.cacheable, n.Type, name)
	if err := c.checkChild(n, name, ci); err != nil {
		return nil, err
	}
	return n.navigate(name, e.uname, ci, out), nil
}

// checkChild reports a choice element asked by its JSON name (valueQuantity:
// FHIR R4 fhirpath.html#polymorphism requires "value"). Names unknown to the
// type are left to the static check of strict mode (typecheck.go), which
// knows whether some other type of a mixed collection has them.
func (c *evalCtx) checkChild(n *Node, name string, ci *childInfo) error {
	if c.model == nil || n.Type == "" || !ci.known || !ci.jsonChoice || c.opts.LenientChoice {
		return nil
	}
	return semanticErr("l'élément %s.%s est un choix: utiliser %s", n.Type, name, choiceBaseOf(c.model, n.Type, name))
}

// indexExpr is x[index] (N1 §Indexer).
type indexExpr struct{ x, index expr }

func (e *indexExpr) eval(c *evalCtx) (Collection, error) {
	in, err := e.x.eval(c)
	if err != nil {
		return nil, err
	}
	idx, err := e.index.eval(c)
	if err != nil || len(idx) == 0 {
		return nil, err
	}
	i, ok := c.system(idx[0]).(int64)
	if !ok || len(idx) > 1 {
		return nil, evalErr("l'indice doit être un entier")
	}
	if i < 0 || i >= int64(len(in)) {
		return nil, nil
	}
	return Collection{in[i]}, nil
}

// unaryExpr is unary + or - (N1 §Math: applies to numbers and quantities).
type unaryExpr struct {
	neg bool
	x   expr
}

func (e *unaryExpr) eval(c *evalCtx) (Collection, error) {
	in, err := e.x.eval(c)
	if err != nil || len(in) == 0 {
		return nil, err
	}
	if len(in) > 1 {
		return nil, evalErr("le signe s'applique à un seul élément")
	}
	v := c.system(in[0])
	switch x := v.(type) {
	case int64:
		if e.neg {
			x = -x
		}
		return Collection{x}, nil
	case Decimal:
		if e.neg {
			x = x.Neg()
		}
		return Collection{x}, nil
	case Quantity:
		if e.neg {
			x.Value = x.Value.Neg()
		}
		return Collection{x}, nil
	}
	return nil, evalErr("le signe %s ne s'applique pas à %s", map[bool]string{true: "-", false: "+"}[e.neg], typeNameOf(c, in[0]))
}

// system converts FHIR primitives to System values, leaving other items as they are.
func (c *evalCtx) system(v any) any {
	if n, ok := v.(*Node); ok {
		if s := n.system(); s != nil {
			return s
		}
		if q, ok := quantityOf(n); ok {
			return q
		}
	}
	return v
}

func (c *evalCtx) variable(name string) (Collection, bool) {
	if v, ok := c.locals.lookup(name); ok {
		return v, true
	}
	if v, ok := c.opts.Variables[name]; ok {
		return toCollection(v), true
	}
	switch name {
	case "context":
		return c.context, true
	case "resource":
		if c.opts.Resource != nil {
			return toCollection(c.opts.Resource), true
		}
		return c.context, true
	case "rootResource":
		if c.opts.RootResource != nil {
			return toCollection(c.opts.RootResource), true
		}
		if c.opts.Resource != nil {
			return toCollection(c.opts.Resource), true
		}
		return c.context, true
	case "ucum":
		return Collection{"http://unitsofmeasure.org"}, true
	case "sct":
		return Collection{"http://snomed.info/sct"}, true
	case "loinc":
		return Collection{"http://loinc.org"}, true
	}
	if v, ok := strings.CutPrefix(name, "vs-"); ok {
		return Collection{"http://hl7.org/fhir/ValueSet/" + v}, true
	}
	if v, ok := strings.CutPrefix(name, "ext-"); ok {
		return Collection{"http://hl7.org/fhir/StructureDefinition/" + v}, true
	}
	return nil, false
}
