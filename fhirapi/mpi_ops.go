package fhirapi

import (
	"net/http"

	"dsn"
	"dsn/access"
	"dsn/mpi/provincial"
)

// The provincial record's operations (mpi/provincial, README "Operations"):
// each one transaction, each recorded as a Provenance, answered with a
// Parameters resource: outcome (OperationOutcome, information), provenance
// (the Provenance written) and golden (the golden record the registration
// ends in). Every route passes the access seam like any other (access.go).

// mpiRoutes adds the provincial record's operations when a Service is configured.
func (a *API) mpiRoutes(m router) {
	if a.records == nil {
		return
	}
	p := a.prefix
	id := a.identityOnly
	m.Handle("POST "+p+"/Patient/$merge", a.h(id(a.merge)))
	m.Handle("POST "+p+"/Patient/$unmerge", a.h(id(a.unmerge)))
	m.Handle("POST "+p+"/Patient/$mpi-link", a.h(id(a.mpiLink)))
	m.Handle("POST "+p+"/Patient/$mpi-unlink", a.h(id(a.mpiUnlink)))
	m.Handle("GET "+p+"/Patient/$mpi-queue", a.h(id(a.mpiQueue)))
	m.Handle("GET "+p+"/Patient/$mpi-duplicates", a.h(id(a.mpiDuplicates)))
	m.Handle("POST "+p+"/Patient/$mpi-duplicates", a.h(id(a.mpiDuplicates)))
	m.Handle("POST "+p+"/Task/{id}/$mpi-accept", a.h(id(a.mpiAccept)))
	m.Handle("POST "+p+"/Task/{id}/$mpi-reject", a.h(id(a.mpiReject)))
}

// identityOnly: the identity operations work on the provincial record
// directly (not through the repository's guard), so they are reserved to
// the function that needs them — archivists (health-information staff) and
// back-end systems — whenever the request is authenticated.
func (a *API) identityOnly(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if p := access.PrincipalFrom(r.Context()); p != nil && p.Role != access.RoleArchivist && p.Role != access.RoleSystem {
			return errorf("fhirapi.mpi", dsn.KindForbidden, "mpi.archivists")
		}
		return next(w, r)
	}
}

// actorOf names who asks, for the Provenance: the authenticated user or
// system, else (in-process use without access control) the caller's address.
func actorOf(r *http.Request) provincial.Actor {
	if p := access.PrincipalFrom(r.Context()); p != nil {
		act := provincial.Actor{Display: p.Name + " (" + string(p.Role) + ", " + p.Agent() + ")"}
		if p.Practitioner != "" {
			act.Reference = "Practitioner/" + p.Practitioner
		}
		return act
	}
	return provincial.Actor{Display: "appel local " + r.RemoteAddr}
}

// mpiLink: POST [base]/Patient/$mpi-link — source (Reference(Patient), a
// registration), target (Reference(Patient), a golden record), reason
// (string): the registration joins the golden record.
func (a *API) mpiLink(w http.ResponseWriter, r *http.Request) error {
	p, err := a.readParameters(w, r, "fhirapi.mpi-link")
	if err != nil {
		return err
	}
	src, err := p.requirePatient("source")
	if err != nil {
		return err
	}
	tgt, err := p.requirePatient("target")
	if err != nil {
		return err
	}
	res, err := a.records.Link(r.Context(), actorOf(r), src, tgt, p.str("reason"))
	return a.sendOpResult(w, r, res, err)
}

// mpiUnlink: POST [base]/Patient/$mpi-unlink — source, reason: the
// registration leaves its golden record for a new one of its own.
func (a *API) mpiUnlink(w http.ResponseWriter, r *http.Request) error {
	p, err := a.readParameters(w, r, "fhirapi.mpi-unlink")
	if err != nil {
		return err
	}
	src, err := p.requirePatient("source")
	if err != nil {
		return err
	}
	res, err := a.records.Unlink(r.Context(), actorOf(r), src, p.str("reason"))
	return a.sendOpResult(w, r, res, err)
}

// mpiAccept: POST [base]/Task/[id]/$mpi-accept — confirm a review Task.
func (a *API) mpiAccept(w http.ResponseWriter, r *http.Request) error {
	p, err := a.readParameters(w, r, "fhirapi.mpi-accept")
	if err != nil {
		return err
	}
	res, err := a.records.Accept(r.Context(), actorOf(r), r.PathValue("id"), p.str("reason"))
	return a.sendOpResult(w, r, res, err)
}

// mpiReject: POST [base]/Task/[id]/$mpi-reject — refuse a review Task.
func (a *API) mpiReject(w http.ResponseWriter, r *http.Request) error {
	p, err := a.readParameters(w, r, "fhirapi.mpi-reject")
	if err != nil {
		return err
	}
	res, err := a.records.Reject(r.Context(), actorOf(r), r.PathValue("id"), p.str("reason"))
	return a.sendOpResult(w, r, res, err)
}

func (a *API) sendOpResult(w http.ResponseWriter, r *http.Request, res provincial.Result, err error) error {
	if err != nil {
		return err
	}
	a.send(w, r, http.StatusOK, outputParameters(a.opOutputs(w, r, res)...))
	return nil
}

// opOutputs are an operation's outputs, its outcome in the request's
// language (provincial/messages.go; French by default).
func (a *API) opOutputs(w http.ResponseWriter, r *http.Request, res provincial.Result) []map[string]any {
	out := []map[string]any{{"name": "outcome", "resource": information(inLanguage(w, r, res.Message, res.English))}}
	if res.Provenance != "" {
		out = append(out, map[string]any{"name": "provenance",
			"valueReference": map[string]any{"reference": "Provenance/" + res.Provenance}})
	}
	if res.Golden != "" {
		out = append(out, map[string]any{"name": "golden",
			"valueReference": map[string]any{"reference": "Patient/" + res.Golden}})
	}
	return out
}

// mpiOperationBase is where DSN's operations would be defined
// (OperationDefinition canonicals); $merge is R5's.
const mpiOperationBase = "urn:dsn:operation:"

// mpiPatientOperations declares the Patient operations of the provincial
// record in the CapabilityStatement (none without it).
func (a *API) mpiPatientOperations() []any {
	if a.records == nil {
		return nil
	}
	ops := []any{map[string]any{"name": "merge", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-merge"}}
	for _, n := range []string{"unmerge", "mpi-link", "mpi-unlink", "mpi-queue", "mpi-duplicates"} {
		ops = append(ops, map[string]any{"name": n, "definition": mpiOperationBase + n})
	}
	return ops
}

// mpiTaskOperations declares the review decisions on Task.
func (a *API) mpiTaskOperations() []any {
	if a.records == nil {
		return nil
	}
	return []any{
		map[string]any{"name": "mpi-accept", "definition": mpiOperationBase + "mpi-accept"},
		map[string]any{"name": "mpi-reject", "definition": mpiOperationBase + "mpi-reject"},
	}
}
