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
		a.sendWrite(w, r, http.StatusOK, out.Resource, "la ressource existe déjà (If-None-Exist)")
		return nil
	}
	w.Header().Set("Location", a.location(r, out.Resource))
	a.sendWrite(w, r, http.StatusCreated, out.Resource, "ressource créée")
	return nil
}

// writeStatus is 201 for a write that created the resource, else 200.
func writeStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}
