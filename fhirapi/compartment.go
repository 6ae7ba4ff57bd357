package fhirapi

import (
	"net/http"
)

// compartment: GET [base]/Patient/[id]/[type]?params and GET
// [base]/Patient/[id]/* (http.html#search, compartment search) search type
// within that patient's compartment (compartmentdefinition-patient.html);
// GET [base]/Patient/[id]/$everything is the operation (everything.go).
// Only the Patient compartment is served: other compartments answer 404.
func (a *API) compartment(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("type") != "Patient" {
		return notFoundf("route.compartment", r.PathValue("type"))
	}
	ctype := r.PathValue("ctype")
	if ctype == "$everything" {
		return a.everything(w, r)
	}
	if ctype != "*" && !a.isType[ctype] {
		return notFoundf("route.type", ctype)
	}
	b, err := a.repo.CompartmentSearch(r.Context(), a.base(r), r.PathValue("id"), ctype, r.URL.Query(), parsePrefer(r).strict)
	if err != nil {
		return err
	}
	a.send(w, r, http.StatusOK, b)
	return nil
}
