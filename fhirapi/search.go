package fhirapi

import (
	"mime"
	"net/http"
	"net/url"

	"dsn"
	"dsn/internal/language"
	"dsn/repo"
)

// search: GET [base]/[type]?params and POST [base]/[type]/_search with a form
// body (http.html#search); parameters of the URL and of the body are merged.
// Without a type (GET [base]?params, POST [base]/_search) it searches every type.
// Prefer: handling=strict turns unknown parameters into a 400.
func (a *API) search(w http.ResponseWriter, r *http.Request) error {
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		form, err := a.formBody(w, r)
		if err != nil {
			return err
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	ctx, l := r.Context(), language.Of(r)
	if l == language.English { // the warnings of a lenient search (search/messages.go)
		ctx = repo.InEnglish(ctx)
	}
	language.Header(w, l)
	b, err := a.repo.Search(ctx, a.base(r), r.PathValue("type"), params, parsePrefer(r).strict)
	if err != nil {
		return err
	}
	a.send(w, r, http.StatusOK, b)
	return nil
}

// formBody reads an application/x-www-form-urlencoded body (http.html#search:
// POST _search). An empty body is allowed.
func (a *API) formBody(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength == 0 {
		return nil, nil
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/x-www-form-urlencoded" {
		return nil, errorf("fhirapi", dsn.KindUnsupportedMedia, "search.form-type", ct)
	}
	body, err := a.readBody(w, r)
	if dsn.KindOf(err) == dsn.KindInvalid && len(body) == 0 {
		return nil, nil // empty body
	}
	if err != nil {
		return nil, err
	}
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errorf("fhirapi", dsn.KindInvalid, "search.form", err)
	}
	return q, nil
}
