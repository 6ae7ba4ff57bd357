package fhirpath

import "encoding/json"

// typeName is a type specifier: ns is "System", "FHIR" or "" (either).
type typeName struct{ ns, name string }

func (t typeName) String() string {
	if t.ns != "" {
		return t.ns + "." + t.name
	}
	return t.name
}

// typeExpr is "x is T" / "x as T" (N1 §Types and reflection).
type typeExpr struct {
	op  string
	x   expr
	typ typeName
}

func (e *typeExpr) eval(c *evalCtx) (Collection, error) {
	in, err := e.x.eval(c)
	if err != nil || len(in) == 0 {
		return nil, err
	}
	if err := c.checkType(e.typ); err != nil {
		return nil, err
	}
	if len(in) > 1 {
		if e.op == "as" {
			// N1 makes this an error, but the R4 search parameters apply "as" to
			// repeating elements ((PlanDefinition.useContext.value as Quantity)):
			// filter like ofType(), as FHIR servers do.
			return c.ofType(in, e.typ), nil
		}
		return nil, evalErr("%s attend un seul élément, reçu %d", e.op, len(in))
	}
	if e.op == "is" {
		return boolColl(c.isType(in[0], e.typ)), nil
	}
	ok := c.asType(in[0], e.typ)
	if ok {
		return in, nil
	}
	return nil, nil
}

// typeOfItem gives the namespace and name of an item's type (type(), N1
// §Reflection): System types for literals and computed values, FHIR types
// for data.
func (c *evalCtx) typeOfItem(v any) typeName {
	if n, ok := v.(*Node); ok {
		return typeName{"FHIR", nodeType(n)}
	}
	return typeName{"System", sysTypeName(v)}
}

// nodeType is the node's FHIR type, inferred from its JSON when unknown.
func nodeType(n *Node) string {
	if n.Type != "" {
		return n.Type
	}
	switch v := n.Value.(type) {
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "decimal"
	case map[string]any:
		if rt, ok := v["resourceType"].(string); ok {
			return rt
		}
	}
	return "Element"
}

func sysTypeName(v any) string {
	switch x := v.(type) {
	case bool:
		return "Boolean"
	case string:
		return "String"
	case int64:
		return "Integer"
	case Decimal:
		return "Decimal"
	case Quantity:
		return "Quantity"
	case DateTime:
		switch x.Kind {
		case KindDate:
			return "Date"
		case KindTime:
			return "Time"
		}
		return "DateTime"
	case *Node:
		return nodeType(x)
	}
	return "Any"
}

func typeNameOf(c *evalCtx, v any) string { return c.typeOfItem(v).String() }

// isType reports whether v is of type t or a subtype of it. FHIR primitives are
// FHIR types (FHIR.string), not System ones (fhirpath.html#types): an
// unqualified name is looked up in FHIR first for data, in System for values.
func (c *evalCtx) isType(v any, t typeName) bool {
	n, isNode := v.(*Node)
	if !isNode {
		if t.ns == "FHIR" {
			return false
		}
		name := sysTypeName(v)
		return name == t.name || t.name == "Any"
	}
	if t.ns == "System" {
		return false
	}
	nt := nodeType(n)
	if nt == t.name || isSubtype(c.model, nt, t.name) {
		return true
	}
	switch t.name {
	case "Resource", "DomainResource":
		if c.model == nil {
			_, isRes := n.object()["resourceType"]
			return isRes && (t.name == "Resource" || !nonDomain[nt])
		}
	case "Base", "Any":
		return true
	case "Element":
		_, isRes := n.object()["resourceType"]
		return !isRes // resources are not elements (FHIR R4 types hierarchy)
	}
	return false
}

// nonDomain are the resources that derive from Resource, not DomainResource.
var nonDomain = map[string]bool{"Bundle": true, "Binary": true, "Parameters": true}

// asType is the test of as() and ofType(): like is(), except that a FHIR
// primitive must be of exactly that type (a code is not "as string"), as the
// FHIR R4 test suite expects.
func (c *evalCtx) asType(v any, t typeName) bool {
	if n, ok := v.(*Node); ok && t.ns != "System" && n.isPrimitive() {
		return nodeType(n) == t.name
	}
	return c.isType(v, t)
}

// ofType keeps the items of type t (N1 §Filtering: ofType()).
func (c *evalCtx) ofType(in Collection, t typeName) Collection {
	var out Collection
	for _, it := range in {
		if c.asType(it, t) {
			out = append(out, it)
		}
	}
	return out
}

var systemTypes = map[string]bool{"Boolean": true, "String": true, "Integer": true, "Decimal": true,
	"Date": true, "DateTime": true, "Time": true, "Quantity": true, "Any": true}

// checkType reports a type name the model does not know (is(string1)).
func (c *evalCtx) checkType(t typeName) error {
	if c.model == nil || t.ns == "System" {
		return nil
	}
	if t.ns == "" && systemTypes[t.name] {
		return nil
	}
	switch t.name {
	case "Element", "Resource", "Base", "BackboneElement", "DomainResource":
		return nil
	}
	if c.model.BaseType(t.name) != "" || c.model.IsResourceType(t.name) {
		return nil
	}
	return evalErr("type inconnu %s", t)
}

// typeArg reads a type specifier given as a function argument: is(Quantity),
// ofType(FHIR.Patient), as(`Patient`).
func typeArg(e expr) (typeName, bool) {
	m, ok := e.(*memberExpr)
	if !ok {
		return typeName{}, false
	}
	if m.x == nil {
		return typeName{name: m.name}, true
	}
	if q, ok := m.x.(*memberExpr); ok && q.x == nil {
		return typeName{ns: q.name, name: m.name}, true
	}
	return typeName{}, false
}
