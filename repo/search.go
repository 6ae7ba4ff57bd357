package repo

import (
	"context"
	"net/url"

	"dsn"
	"dsn/fhir"
)

// Search runs a type-level search (http.html#search, GET or POST _search), or
// a system-level one when typ is "" (only the parameters common to all
// resources), and returns a searchset Bundle with self and next links. strict reflects
// "Prefer: handling=strict" (search.html#errors): unknown parameters are then an
// error; otherwise they are ignored and reported in an OperationOutcome entry.
func (s *Service) Search(ctx context.Context, base, typ string, params url.Values, strict bool) (fhir.Object, error) {
	const op = "repo.Search"
	if typ != "" {
		if err := s.checkType(op, typ); err != nil {
			return nil, err
		}
	}
	path := base
	if typ != "" {
		path += "/" + typ
	}
	return s.search(ctx, op, base, path, dsn.SearchQuery{Type: typ}, params, strict)
}

// search runs the search that scope (Type, and PatientKey for a compartment)
// narrows, with the criteria of params; path is the URL of the self link.
func (s *Service) search(ctx context.Context, op, base, path string, scope dsn.SearchQuery, params url.Values, strict bool) (fhir.Object, error) {
	q, issues, err := s.parse(scope.Type, params, strict)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	q.Type, q.PatientKey, q.Types = scope.Type, scope.PatientKey, scope.Types
	return s.answer(storeReader{ctx, s.store}, op, base, path, q, params, issues, inEnglish(ctx))
}

// answer runs q on r and builds the searchset (bundle.html#searchset): the
// matches shaped by _summary and _elements, the resources of _include and
// _revinclude, and the issues of the parameters in an OperationOutcome entry
// (in English when english).
func (s *Service) answer(r reader, op, base, path string, q dsn.SearchQuery, params url.Values, issues []dsn.Issue, english bool) (fhir.Object, error) {
	res, err := r.Search(q)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if q.Summary == "count" { // search.html#summary: the total alone
		res.Matches, res.Next = nil, ""
	}
	inc, incIssues := s.includes(r, res.Matches, q)
	if shape := shaperOf(q); shape != nil {
		for i := range res.Matches {
			res.Matches[i].Body = shape(res.Matches[i].Type, res.Matches[i].Body)
		}
	}
	return searchBundle(base, path, params, res, inc, append(issues, incIssues...), english), nil
}

// searchBundle builds a searchset (bundle.html#searchset); Total < 0 is
// omitted; issues say their English when english and they have one.
func searchBundle(base, path string, params url.Values, res dsn.SearchResult, inc []dsn.Resource, issues []dsn.Issue, english bool) fhir.Object {
	b := newBundle("searchset", res.Total)
	links(b, path, params, res.Next)
	entries := make([]any, 0, len(res.Matches)+1)
	for _, r := range res.Matches {
		entries = append(entries, map[string]any{
			"fullUrl":  base + "/" + r.Type + "/" + r.ID,
			"resource": rawJSON(r.Body),
			"search":   map[string]any{"mode": "match"},
		})
	}
	for _, r := range inc {
		entries = append(entries, map[string]any{
			"fullUrl":  base + "/" + r.Type + "/" + r.ID,
			"resource": rawJSON(r.Body),
			"search":   map[string]any{"mode": "include"},
		})
	}
	if len(issues) > 0 {
		var list []any
		for _, is := range issues {
			if is.Severity == "" {
				is.Severity = "warning"
			}
			is.Diagnostics = is.In(english)
			list = append(list, issueObject(is, dsn.KindInvalid))
		}
		oo := fhir.Object{"resourceType": "OperationOutcome", "issue": list}
		entries = append(entries, map[string]any{"resource": oo,
			"search": map[string]any{"mode": "outcome"}})
	}
	b["entry"] = entries
	return b
}
