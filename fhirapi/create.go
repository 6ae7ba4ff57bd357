package fhirapi

import (
	"net/http"
)

// create: POST [base]/[type] (http.html#create), conditional with
// If-None-Exist (http.html#ccreate). 201 + Location on creation; 200 with the
// existing resource when the condition matched one.
func (a *API) create(w http.ResponseWriter, r *http.Request) error {
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	out, err := a.repo.Create(r.Context(), r.PathValue("type"), body, r.Header.Get("If-None-Exist"))
	if err != nil {
		return err
	}
	if out.Noop {
		a.sendWrite(w, r, http.StatusOK, out.Resource, "write.exists")
		return nil
	}
	w.Header().Set("Location", a.location(r, out.Resource))
	a.sendWrite(w, r, http.StatusCreated, out.Resource, "write.created")
	return nil
}
