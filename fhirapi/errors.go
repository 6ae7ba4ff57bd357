package fhirapi

import (
	"net/http"

	"dsn"
	"dsn/internal/language"
	"dsn/repo"
)

// writeError is the ONE error mapper of the API: the Kind gives the HTTP status
// (repo.Status, http.html#3.1.0.4) and the body is an OperationOutcome whose
// issues carry the expression of the faulty element. Its message is in the
// request's language (internal/language: Accept-Language, French by
// default; English where the error has it, dsn.Error.English), named by
// Content-Language. Internal causes are logged, never shown.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	k := dsn.KindOf(err)
	status := repo.Status(k)
	if k == dsn.KindInternal || k == dsn.KindUnavailable {
		a.log.Error("fhir request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	setOutcome(w, k)
	if k == dsn.KindUnauthorized {
		// RFC 6750 §3: a request without (or with a bad) bearer token
		w.Header().Set("WWW-Authenticate", `Bearer realm="dsn", error="invalid_token"`)
	}
	l := language.Of(r)
	language.Header(w, l)
	a.send(w, r, status, repo.OperationOutcomeIn(err, l == language.English))
}

// setOutcome lets the audit layer know the error kind without parsing the body.
func setOutcome(w http.ResponseWriter, k dsn.Kind) {
	if rec, ok := w.(*recorder); ok {
		rec.kind = k.String()
	}
}
