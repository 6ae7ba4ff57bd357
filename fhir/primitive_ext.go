package fhir

import "strconv"

// primitiveExtensions validates "_name", the id and extensions of primitive
// element name (json.html#primitive). For a repeating element it is an array
// aligned with the values, null where a value has no extension.
func (v *validator) primitiveExtensions(obj map[string]any, name string, val any, ref jsonRef, path string) {
	td := v.d.types[ref.typ] // a primitive type's definition holds id and extension
	p := path + "." + name
	if ref.el.Max == 1 {
		o, ok := val.(map[string]any)
		if !ok {
			v.add("structure", path+"._"+name, "un objet JSON est attendu (id et extensions de %s)", name)
			return
		}
		v.object(o, td, p, false)
		return
	}
	arr, ok := val.([]any)
	if !ok || len(arr) == 0 {
		v.add("structure", path+"._"+name, "un tableau non vide est attendu, aligné sur %s", name)
		return
	}
	values, hasValues := obj[name].([]any)
	if hasValues && len(values) != len(arr) {
		v.add("structure", path+"._"+name, "_%s doit avoir autant d'éléments que %s (%d ≠ %d)", name, name, len(arr), len(values))
	}
	if !hasValues {
		v.count(len(arr), ref.el, p)
	}
	for i, item := range arr {
		ip := p + "[" + strconv.Itoa(i) + "]"
		if item == nil {
			if !hasValues || i >= len(values) || values[i] == nil {
				v.add("structure", ip, "ni valeur ni extension à cette position")
			}
			continue
		}
		o, ok := item.(map[string]any)
		if !ok {
			v.add("structure", ip, "un objet JSON ou null est attendu dans _%s", name)
			continue
		}
		v.object(o, td, ip, false)
	}
}
