package fhirpath

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// Node is one FHIR element reached by navigation: a resource, a complex value
// or a primitive (with its "_name" companion holding id and extensions, FHIR
// json.html#primitive).
type Node struct {
	Name  string         // element name in its parent, as in JSON ("valueQuantity"); "" at the root
	Type  string         // FHIR type ("Patient", "HumanName", "Patient.contact", "date"); "" if unknown
	Value any            // map[string]any for complex values, else string, json.Number, bool; nil if only extensions
	Ext   map[string]any // the primitive's "_name" object, if any
}

// NewResource wraps a decoded resource (map from fhir.Decode) as a Node.
func NewResource(obj map[string]any) *Node {
	rt, _ := obj["resourceType"].(string)
	return &Node{Type: rt, Value: obj}
}

// object returns the map behind a complex node (nil for primitives).
func (n *Node) object() map[string]any {
	m, _ := n.Value.(map[string]any)
	return m
}

// isPrimitive reports whether n holds a FHIR primitive.
func (n *Node) isPrimitive() bool {
	if n.Type != "" {
		return isPrimitiveType(n.Type)
	}
	_, isMap := n.Value.(map[string]any)
	return !isMap
}

// children appends the nodes named name under n to out. Choice elements are
// found from their base name (value → valueQuantity) through the model, or by
// looking at the keys when there is no model (FHIR R4 fhirpath.html#polymorphism).
func (n *Node) children(m Model, name string, out []any) []any {
	obj := n.object()
	if obj == nil {
		return out
	}
	if v, ok := obj[name]; ok || obj["_"+name] != nil {
		return appendChildren(out, m, n.Type, name, v, obj["_"+name])
	}
	if name == "resourceType" {
		return out
	}
	if m != nil && n.Type != "" {
		if types, ok := m.ChoiceTypes(n.Type, name); ok {
			for _, t := range types {
				key := name + strings.ToUpper(t[:1]) + t[1:]
				if v, ok := obj[key]; ok || obj["_"+key] != nil {
					return appendChildren(out, m, n.Type, key, v, obj["_"+key])
				}
			}
			return out
		}
		if _, ok := m.ChildType(n.Type, name); ok {
			return out
		}
	}
	for key, v := range obj {
		if len(key) > len(name) && strings.HasPrefix(key, name) && key[len(name)] >= 'A' && key[len(name)] <= 'Z' {
			return appendChildren(out, m, n.Type, key, v, obj["_"+key])
		}
	}
	for key, v := range obj {
		if key[0] == '_' && len(key) > len(name)+1 && strings.HasPrefix(key[1:], name) && key[len(name)+1] >= 'A' && key[len(name)+1] <= 'Z' {
			return appendChildren(out, m, n.Type, key[1:], obj[key[1:]], v)
		}
	}
	return out
}

// appendChildren appends the items of one JSON member (value v, companion ext).
func appendChildren(out []any, m Model, parentType, key string, v, ext any) []any {
	return appendTyped(out, childType(m, parentType, key, v), key, v, ext)
}

// appendTyped appends the items of one JSON member whose declared type is typ.
func appendTyped(out []any, typ, key string, v, ext any) []any {
	switch vs := v.(type) {
	case []any:
		exts, _ := ext.([]any)
		if out == nil {
			out = make([]any, 0, len(vs))
		}
		nodes := make([]Node, len(vs)) // one allocation for the whole array
		for i, item := range vs {
			var e map[string]any
			if i < len(exts) {
				e, _ = exts[i].(map[string]any)
			}
			if item == nil && e == nil {
				continue
			}
			nodes[i] = Node{Name: key, Type: instanceType(typ, item), Value: item, Ext: e}
			out = append(out, &nodes[i])
		}
		if len(vs) == 0 {
			for _, x := range exts {
				if e, _ := x.(map[string]any); e != nil {
					out = append(out, newChild(key, typ, nil, e))
				}
			}
		}
	case nil:
		if e, _ := ext.(map[string]any); e != nil {
			out = append(out, newChild(key, typ, nil, e))
		} else if exts, ok := ext.([]any); ok {
			for _, x := range exts {
				if e, _ := x.(map[string]any); e != nil {
					out = append(out, newChild(key, typ, nil, e))
				}
			}
		}
	default:
		e, _ := ext.(map[string]any)
		if out == nil { // a single value: the node and its collection in one allocation
			s := &singleChild{n: Node{Name: key, Type: instanceType(typ, v), Value: v, Ext: e}}
			s.c[0] = &s.n
			return s.c[:]
		}
		out = append(out, newChild(key, typ, v, e))
	}
	return out
}

type singleChild struct {
	n Node
	c [1]any
}

func newChild(name, typ string, v any, ext map[string]any) *Node {
	return &Node{Name: name, Type: instanceType(typ, v), Value: v, Ext: ext}
}

// instanceType prefers the resourceType a value carries (contained resources,
// Bundle.entry.resource) to the declared type.
func instanceType(typ string, v any) string {
	if obj, ok := v.(map[string]any); ok {
		if rt, ok := obj["resourceType"].(string); ok && rt != "" {
			return rt
		}
	}
	return typ
}

// childType asks the model for the type of parent.key; without an answer the
// JSON value's shape decides later.
func childType(m Model, parentType, key string, v any) string {
	if m != nil && parentType != "" {
		if t, ok := m.ChildType(parentType, key); ok {
			return t
		}
	}
	return ""
}

// allChildren appends every child node of n (children(), N1 §Tree navigation).
// Keys are visited in sorted order so that results are reproducible (N1 leaves
// the order of children() undefined).
func (n *Node) allChildren(m Model, out []any) []any {
	obj := n.object()
	keys := make([]string, 0, len(obj))
	for key := range obj {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if key == "resourceType" || key[0] == '_' {
			continue
		}
		out = appendChildren(out, m, n.Type, key, obj[key], obj["_"+key])
	}
	for _, key := range keys {
		if key[0] == '_' {
			if _, has := obj[key[1:]]; !has {
				out = appendChildren(out, m, n.Type, key[1:], nil, obj[key])
			}
		}
	}
	if n.Ext != nil {
		if exts, ok := n.Ext["extension"]; ok {
			out = appendChildren(out, m, "Element", "extension", exts, nil)
		}
	}
	return out
}

// primitiveChildren gives id and extension of a primitive from its companion.
func (n *Node) primitiveChildren(m Model, name string, out []any) []any {
	if n.Ext == nil {
		return out
	}
	v, ok := n.Ext[name]
	if !ok {
		return out
	}
	t := ""
	switch name {
	case "extension":
		t = "Extension"
	case "id":
		t = "string"
	}
	switch vs := v.(type) {
	case []any:
		for _, x := range vs {
			out = append(out, newChild(name, t, x, nil))
		}
	default:
		out = append(out, newChild(name, t, v, nil))
	}
	return out
}

// system converts a primitive node to its System value (bool, string, int64,
// Decimal, DateTime); nil when it has no value or is complex.
func (n *Node) system() any {
	switch v := n.Value.(type) {
	case nil, map[string]any:
		return nil
	case bool:
		return v
	case json.Number:
		return numberValue(n.Type, string(v))
	case float64:
		return decimalFromFloat(v)
	case string:
		if systemTypeOf(n.Type) == "String" || n.Type == "" {
			return n.Value // already a string in an interface: no boxing
		}
		return stringValue(n.Type, v)
	}
	return nil
}

func numberValue(typ, s string) any {
	if typ == "decimal" || (typ == "" && strings.ContainsAny(s, ".eE")) {
		if d, ok := ParseDecimal(s); ok {
			return d
		}
		return nil
	}
	if i, err := json.Number(s).Int64(); err == nil {
		return i
	}
	if d, ok := ParseDecimal(s); ok {
		return d
	}
	return nil
}

func stringValue(typ, s string) any {
	switch typ {
	case "date", "dateTime", "instant":
		d, ok := ParseDate(s)
		if !ok {
			return s
		}
		if typ != "date" && d.Kind == KindDate {
			d.Kind = KindDateTime
		}
		return d
	case "time":
		if d, ok := ParseDate("T" + s); ok {
			return d
		}
	case "integer", "positiveInt", "unsignedInt", "integer64", "decimal":
		return numberValue(typ, s)
	}
	return s
}

// ptrEq reports whether two maps are the same map (element identity).
func ptrEq(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
