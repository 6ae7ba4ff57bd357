package fhirapi

import "net/http"

// bundle: POST [base] with a batch or transaction Bundle (http.html#transaction).
// A transaction that fails answers with the failing entry's status and an
// OperationOutcome; nothing of it is written.
func (a *API) bundle(w http.ResponseWriter, r *http.Request) error {
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	withResources := parsePrefer(r).ret == "representation"
	b, err := a.repo.Bundle(r.Context(), a.base(r), body, withResources)
	if err != nil {
		return err
	}
	a.send(w, r, http.StatusOK, b)
	return nil
}
