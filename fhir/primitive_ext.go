package fhir

// primitiveExtensions validates "_name", the id and extensions of primitive
// element name (json.html#primitive). For a repeating element it is an array
// aligned with the values, null where a value has no extension.
func (v *validator) primitiveExtensions(obj map[string]any, name string, val any, ref jsonRef) {
	td := ref.td // a primitive type's definition holds id and extension
	if ref.el.Max == 1 {
		o, ok := val.(map[string]any)
		if !ok {
			v.addAt("_"+name, "structure", "ext.object", name)
			return
		}
		v.pushRef(name, ref)
		v.object(o, td, false)
		v.pop()
		return
	}
	arr, ok := val.([]any)
	if !ok || len(arr) == 0 {
		v.addAt("_"+name, "structure", "ext.array", name)
		return
	}
	values, hasValues := obj[name].([]any)
	if hasValues && len(values) != len(arr) {
		v.addAt("_"+name, "structure", "ext.length", name, name, len(arr), len(values))
	}
	v.pushRef(name, ref)
	defer v.pop()
	if !hasValues {
		v.count(len(arr), ref.el)
	}
	for i, item := range arr {
		v.setIndex(i)
		if item == nil {
			if !hasValues || i >= len(values) || values[i] == nil {
				v.add("structure", "ext.nothing")
			}
			continue
		}
		o, ok := item.(map[string]any)
		if !ok {
			v.add("structure", "ext.item", name)
			continue
		}
		v.object(o, td, false)
	}
}
