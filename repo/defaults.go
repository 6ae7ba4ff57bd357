package repo

import (
	"net/url"

	"dsn"
	"dsn/fhir"
	"dsn/search"
)

// The real collaborators, used when Options leaves a field nil.
var (
	defaultExtract = search.Extract
	defaultIsType  = fhir.IsResourceType
)

// TEMPORARY until fhir.Validate is committed.
func defaultValidate(fhir.Object) error { return nil }

// TEMPORARY until search.Parse is committed: only _id.
func defaultParse(typ string, p url.Values, strict bool) (dsn.SearchQuery, []dsn.Issue, error) {
	q := dsn.SearchQuery{Type: typ}
	for k, v := range p {
		if k == "_id" {
			q.Clauses = append(q.Clauses, dsn.Clause{Param: "_id", Type: dsn.ParamToken, Values: []dsn.Value{{Code: v[0], AnySystem: true}}})
		}
	}
	return q, nil, nil
}
