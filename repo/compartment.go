package repo

import (
	"context"
	"net/url"

	"dsn"
	"dsn/fhir"
)

// CompartmentSearch runs GET [base]/Patient/[id]/[type]?params (http.html#search,
// "compartment search"): a search of typ restricted to the resources of that
// patient's compartment (compartmentdefinition-patient.html), with the usual
// parameters, includes and paging. typ "*" searches every type of the
// compartment (then only the parameters common to all resources apply).
// Membership is the patient key the write path stored with each resource.
// Errors: KindNotFound if the Patient does not exist (KindGone if deleted) or
// typ is unknown; KindInvalid if typ is not in the Patient compartment.
func (s *Service) CompartmentSearch(ctx context.Context, base, id, typ string, params url.Values, strict bool) (fhir.Object, error) {
	const op = "repo.CompartmentSearch"
	if err := s.checkPatient(ctx, op, id); err != nil {
		return nil, err
	}
	scope := dsn.SearchQuery{PatientKey: id}
	if typ != "*" {
		if err := s.checkType(op, typ); err != nil {
			return nil, err
		}
		if !InPatientCompartment(typ) {
			return nil, invalidIn(op, "", "compartment.type", typ)
		}
		scope.Type = typ
	}
	return s.search(ctx, op, base, base+"/Patient/"+id+"/"+typ, scope, params, strict)
}

// InPatientCompartment tells whether resources of typ can belong to a
// patient's compartment (compartmentdefinition-patient.html; Patient itself too).
func InPatientCompartment(typ string) bool {
	return typ == "Patient" || len(fhir.PatientCompartment(typ)) > 0
}

// checkPatient refuses a malformed id and a Patient that is not there (404,
// or 410 once deleted): a compartment exists only through its Patient.
func (s *Service) checkPatient(ctx context.Context, op, id string) error {
	if err := checkID(op, id); err != nil {
		return err
	}
	if _, err := s.store.Read(ctx, "Patient", id); err != nil {
		switch dsn.KindOf(err) {
		case dsn.KindNotFound, dsn.KindGone:
			return fail(op, dsn.KindOf(err), "patient.missing", id)
		}
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	return nil
}
