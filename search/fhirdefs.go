package search

import "dsn/fhir"

// fhirParams returns the R4 search parameters of a resource type, from the
// tables generated into package fhir.
func fhirParams(resourceType string) map[string]def {
	src := fhir.SearchParams(resourceType)
	out := make(map[string]def, len(src))
	for code, p := range src {
		d := def{Code: p.Code, Type: p.Type, Expression: p.Expression, Targets: p.Targets}
		for _, c := range p.Components {
			d.Components = append(d.Components, component{Param: c.Param, Expression: c.Expression})
		}
		out[code] = d
	}
	return out
}

// fhirCompartment returns the parameters that place a type in the Patient compartment.
func fhirCompartment(resourceType string) []string { return fhir.PatientCompartment(resourceType) }
