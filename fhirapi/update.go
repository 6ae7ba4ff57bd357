package fhirapi

import (
	"net/http"
)

// update: PUT [base]/[type]/[id] (http.html#update), update-as-create for a new
// id (201), version-aware with If-Match (412 on mismatch).
func (a *API) update(w http.ResponseWriter, r *http.Request) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	out, err := a.repo.Update(r.Context(), r.PathValue("type"), r.PathValue("id"), body, v)
	if err != nil {
		return err
	}
	a.answerUpdate(w, r, out.Created, out)
	return nil
}

// conditionalUpdate: PUT [base]/[type]?criteria (http.html#cond-update).
func (a *API) conditionalUpdate(w http.ResponseWriter, r *http.Request) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	out, err := a.repo.ConditionalUpdate(r.Context(), r.PathValue("type"), criteria(r), body, v)
	if err != nil {
		return err
	}
	a.answerUpdate(w, r, out.Created, out)
	return nil
}
