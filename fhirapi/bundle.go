package fhirapi

import (
	"net/http"

	"dsn/internal/language"
	"dsn/repo"
)

// bundle: POST [base] with a batch or transaction Bundle (http.html#transaction).
// A transaction that fails answers with the failing entry's status and an
// OperationOutcome; nothing of it is written. A successful write's warnings
// (a Patient's NAM disagreeing with its demographics: namHints) go in its
// entry's response.outcome.
func (a *API) bundle(w http.ResponseWriter, r *http.Request) error {
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if language.Of(r) == language.English { // the entries' errors (Accept-Language)
		ctx = repo.InEnglish(ctx)
	}
	b, err := a.repo.BundleWith(ctx, a.base(r), body, repo.BundleOptions{
		Resources: parsePrefer(r).ret == "representation", Hints: namHints})
	if err != nil {
		return err
	}
	a.send(w, r, http.StatusOK, b)
	return nil
}
