package fhirpath

// Model answers type questions about FHIR data (package fhir implements it from the R4 definitions).
//
// ChildType gives the type of a child element: ChildType("Patient","birthDate")
// is "date"; backbone elements are named by path (ChildType("Patient","contact")
// is "Patient.contact"); a choice child is asked by its JSON name
// (ChildType("Observation","valueQuantity") is "Quantity"). ChoiceTypes lists
// the type codes a choice element allows (ChoiceTypes("Observation","value")).
// BaseType gives the parent type in the hierarchy ("Patient" → "DomainResource",
// "code" → "string", "Age" → "Quantity"; "" at the root). IsResourceType
// reports whether name is a resource type.
type Model interface {
	ChildType(parent, child string) (typ string, ok bool)
	ChoiceTypes(parent, base string) ([]string, bool)
	BaseType(typ string) string
	IsResourceType(name string) bool
}

// isSubtype reports whether typ is base or derives from it in the model.
func isSubtype(m Model, typ, base string) bool {
	for t := typ; t != ""; {
		if t == base {
			return true
		}
		if m == nil {
			return false
		}
		next := m.BaseType(t)
		if next == t {
			return false
		}
		t = next
	}
	return false
}

// systemTypeOf maps a FHIR primitive type code to its System type name
// (FHIR R4 fhirpath.html#types), "" for complex types.
func systemTypeOf(fhirType string) string {
	switch fhirType {
	case "boolean":
		return "Boolean"
	case "integer", "positiveInt", "unsignedInt", "integer64":
		return "Integer"
	case "decimal":
		return "Decimal"
	case "date":
		return "Date"
	case "dateTime", "instant":
		return "DateTime"
	case "time":
		return "Time"
	case "string", "code", "id", "uri", "url", "canonical", "oid", "uuid", "markdown",
		"base64Binary", "xhtml":
		return "String"
	}
	return ""
}

// isPrimitiveType reports whether a FHIR type code names a primitive type.
func isPrimitiveType(t string) bool { return systemTypeOf(t) != "" }
