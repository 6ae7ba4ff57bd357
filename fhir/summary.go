package fhir

import "strings"

// IsSummary reports whether the top-level member key of a resource of type
// resourceType ("_name" extension keys included) is a summary element:
// marked isSummary in the R4 definitions, as _summary=true keeps
// (search.html#summary).
func IsSummary(resourceType, key string) bool {
	el := topElement(resourceType, key)
	return el != nil && el.Summary
}

// IsMandatory reports whether the top-level member key of a resource of type
// resourceType is a mandatory element (min > 0), which _summary=text keeps.
func IsMandatory(resourceType, key string) bool {
	el := topElement(resourceType, key)
	return el != nil && el.Min > 0
}

func topElement(resourceType, key string) *elemDef {
	t := R4().types[resourceType]
	if t == nil {
		return nil
	}
	r, ok := t.byJSON[strings.TrimPrefix(key, "_")]
	if !ok {
		return nil
	}
	return r.el
}
