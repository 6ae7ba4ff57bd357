package fhirpath

import (
	"reflect"
	"strings"
	"sync/atomic"
)

// childInfo is what the model says about one name under one parent type,
// computed once and kept on the compiled path step: evaluating the same
// expression on many resources of the same type asks the model nothing.
type childInfo struct {
	model      Model
	parent     string
	typ        string   // declared type of the direct child ("" unknown)
	known      bool     // the model declares name under parent
	choiceKeys []string // name is a choice element: its JSON names ("valueQuantity"...)
	choiceTyps []string // and their types
	jsonChoice bool     // name is a choice element's JSON name (valueQuantity)
}

// infoCache holds the last childInfo of a path step (one parent type at a time).
type infoCache struct{ p atomic.Pointer[childInfo] }

func (ic *infoCache) get(m Model, cacheable bool, parent, name string) *childInfo {
	if cacheable {
		if ci := ic.p.Load(); ci != nil && ci.parent == parent && ci.model == m {
			return ci
		}
	}
	ci := newChildInfo(m, parent, name)
	if cacheable {
		ic.p.Store(ci)
	}
	return ci
}

func newChildInfo(m Model, parent, name string) *childInfo {
	ci := &childInfo{model: m, parent: parent}
	if m == nil || parent == "" {
		return ci
	}
	ci.typ, ci.known = m.ChildType(parent, name)
	if types, ok := m.ChoiceTypes(parent, name); ok {
		for _, t := range types {
			ci.choiceKeys = append(ci.choiceKeys, name+strings.ToUpper(t[:1])+t[1:])
			ci.choiceTyps = append(ci.choiceTyps, t)
		}
	}
	if ci.known {
		ci.jsonChoice = choiceBaseOf(m, parent, name) != ""
	}
	return ci
}

// choiceBaseOf returns the choice element whose JSON name is name
// ("valueCodeableConcept" → "value"), "" if name is not one: the suffix must
// be one of the element's types ("studyEffectiveDescription" is a plain element).
func choiceBaseOf(m Model, parent, name string) string {
	for i := 1; i < len(name); i++ {
		if name[i] < 'A' || name[i] > 'Z' {
			continue
		}
		types, ok := m.ChoiceTypes(parent, name[:i])
		if !ok {
			continue
		}
		for _, t := range types {
			if strings.ToUpper(t[:1])+t[1:] == name[i:] {
				return name[:i]
			}
		}
	}
	return ""
}

// comparableModel reports whether models can be compared with == (a model
// of an uncomparable type is simply never cached).
func comparableModel(m Model) bool {
	return m == nil || reflect.TypeOf(m).Comparable()
}

// navigate appends the children called name of n, using ci for types.
func (n *Node) navigate(name, uname string, ci *childInfo, out []any) []any {
	obj := n.object()
	if obj == nil {
		return out
	}
	v, ok := obj[name]
	ext := obj[uname]
	if ok || ext != nil {
		typ := ci.typ
		if !ci.known {
			typ = ""
		}
		return appendTyped(out, typ, name, v, ext)
	}
	if name == "resourceType" {
		return out
	}
	if ci.choiceKeys != nil {
		for i, key := range ci.choiceKeys {
			if v, ok := obj[key]; ok || obj["_"+key] != nil {
				return appendTyped(out, ci.choiceTyps[i], key, v, obj["_"+key])
			}
		}
		return out
	}
	if ci.known {
		return out
	}
	return n.children(ci.model, name, out) // no model answer: look at the keys
}
