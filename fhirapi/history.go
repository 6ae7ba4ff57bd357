package fhirapi

import "net/http"

// history: GET [base]/_history, [base]/[type]/_history and
// [base]/[type]/[id]/_history (http.html#history), with _since, _count and the
// paging cursor.
func (a *API) history(w http.ResponseWriter, r *http.Request) error {
	b, err := a.repo.History(r.Context(), a.base(r), r.PathValue("type"), r.PathValue("id"), r.URL.Query())
	if err != nil {
		return err
	}
	a.send(w, r, http.StatusOK, b)
	return nil
}
