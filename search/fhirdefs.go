package search

// fhirParams returns the R4 search parameters of a resource type.
// TEMPORARY: returns nothing until package fhir exports SearchParams.
func fhirParams(resourceType string) map[string]def { return nil }

// fhirCompartment returns the parameters that place a type in the Patient compartment.
// TEMPORARY: returns nothing until package fhir exports PatientCompartment.
func fhirCompartment(resourceType string) []string { return nil }
