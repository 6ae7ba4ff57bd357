package fhir

import "dsn"

// SearchParam is one search parameter of a resource type, from the R4
// SearchParameter resources (searchparameter-registry.html).
type SearchParam struct {
	Code       string                 // e.g. "identifier", "_id", "patient"
	Type       dsn.ParamType          // number, date, string, token, reference, ...
	Expression string                 // FHIRPath expression, only the union terms for this base
	Targets    []string               // reference targets
	Components []SearchParamComponent // composite parameters: the parts
	URL        string                 // canonical URL of the SearchParameter
}

// SearchParamComponent is one part of a composite search parameter: the code
// of the component's parameter and its expression relative to the composite's.
type SearchParamComponent struct {
	Param      string `json:"param"`
	Expression string `json:"expr"`
}

// buildSearch gives each concrete resource type its own parameters plus those
// defined on Resource and, for domain resources, DomainResource (_text).
func buildSearch(d *Definitions, raw map[string][]searchJSON) map[string]map[string]SearchParam {
	out := map[string]map[string]SearchParam{}
	for _, rt := range d.resources {
		m := map[string]SearchParam{}
		for t := rt; t != ""; t = d.BaseType(t) {
			for _, s := range raw[t] {
				if _, own := m[s.Code]; own {
					continue // the most specific definition wins
				}
				m[s.Code] = SearchParam{Code: s.Code, Type: dsn.ParamType(s.Type),
					Expression: s.Expression, Targets: s.Targets, Components: s.Components, URL: s.URL}
			}
		}
		out[rt] = m
	}
	return out
}

// SearchParams returns every search parameter of a resource type by code,
// including the ones defined on Resource and DomainResource (_id, _lastUpdated,
// _tag, _profile, _security, _source, _text, _content, ...); nil for an
// unknown type. The map is shared: callers must not modify it.
func SearchParams(resourceType string) map[string]SearchParam {
	return R4().search[resourceType]
}

// PatientCompartment returns the search parameter codes that put resources of
// resourceType in the Patient compartment (compartmentdefinition-patient.html),
// nil if none. Patient itself returns {"link"}, as the definition says.
func PatientCompartment(resourceType string) []string {
	return R4().compartment[resourceType]
}
