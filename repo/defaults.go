package repo

import (
	"dsn/fhir"
	"dsn/search"
)

// The real collaborators, used when Options leaves a field nil.
var (
	defaultExtract  = search.Extract
	defaultIsType   = fhir.IsResourceType
	defaultParse    = search.Parse
	defaultValidate = fhir.Validate
)
