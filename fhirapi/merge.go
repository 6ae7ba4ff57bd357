package fhirapi

import (
	"net/http"
	"net/url"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
	"dsn/mpi/provincial"
)

// merge: POST [base]/Patient/$merge, after FHIR R5 patient-operation-merge.html
// (R4 has no merge operation). In: source-patient | source-patient-identifier,
// target-patient | target-patient-identifier, result-patient, preview; and
// DSN's reason (string). Identifiers find registrations only (golden records
// carry the same NAM) and must find exactly one. Out: input, outcome,
// result (the target after the merge), provenance. Synchronous: one transaction.
func (a *API) merge(w http.ResponseWriter, r *http.Request) error {
	const op = "fhirapi.merge"
	p, err := a.readParameters(w, r, op)
	if err != nil {
		return err
	}
	src, err := a.mergePatient(r, p, "source-patient")
	if err != nil {
		return err
	}
	tgt, err := a.mergePatient(r, p, "target-patient")
	if err != nil {
		return err
	}
	preview, err := p.boolean("preview")
	if err != nil {
		return err
	}
	req := provincial.MergeRequest{Source: src, Target: tgt, Result: p.resource("result-patient"),
		Preview: preview, Reason: p.str("reason")}
	if req.Result != nil {
		if err := fhir.Validate(req.Result); err != nil {
			return dsn.Wrap(op, dsn.KindInvalid, err)
		}
	}
	res, err := a.records.Merge(r.Context(), actorOf(r), req)
	if err != nil {
		return err
	}
	out := a.opOutputs(w, r, res.Result)
	if in := inputParameters(p); in != nil {
		out = append([]map[string]any{{"name": "input", "resource": in}}, out...)
	}
	if res.Target != nil {
		out = append(out, map[string]any{"name": "result", "resource": res.Target})
	}
	a.send(w, r, http.StatusOK, outputParameters(out...))
	return nil
}

// inputParameters echoes the input (R5 $merge output "input").
func inputParameters(p parameters) fhir.Object {
	var list []any
	for _, ms := range p.all {
		for _, m := range ms {
			list = append(list, m)
		}
	}
	if len(list) == 0 {
		return nil
	}
	return fhir.Object{"resourceType": "Parameters", "parameter": list}
}

// mergePatient reads name (a Reference) or name+"-identifier" (Identifiers
// that must all belong to one registration).
func (a *API) mergePatient(r *http.Request, p parameters, name string) (string, error) {
	const op = "fhirapi.merge"
	id, err := p.patientRef(name)
	if err != nil || id != "" {
		return id, err
	}
	q := url.Values{"_tag:not": {mpi.System + "|" + mpi.GoldenCode}}
	for _, m := range p.all[name+"-identifier"] {
		ident, _ := m["valueIdentifier"].(map[string]any)
		sys, _ := ident["system"].(string)
		val, _ := ident["value"].(string)
		if val == "" {
			return "", opInvalid(op, "Parameters.parameter", "merge.identifier", name)
		}
		q.Add("identifier", sys+"|"+val)
	}
	if len(q["identifier"]) == 0 {
		return "", opInvalid(op, "Parameters.parameter", "merge.required", name, name)
	}
	ids, err := a.records.Find(r.Context(), q)
	if err != nil {
		return "", err
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return "", errorf("fhirapi.merge", dsn.KindNotFound, "merge.no-registration", name)
	}
	return "", errorf("fhirapi.merge", dsn.KindUnprocessable, "merge.several", len(ids), name, name)
}

// unmerge: POST [base]/Patient/$unmerge (DSN; R5 has none) — source-patient,
// target-patient, reason: undoes the merge of source into target, from the
// Provenance the merge recorded. Out: outcome, provenance, golden.
func (a *API) unmerge(w http.ResponseWriter, r *http.Request) error {
	p, err := a.readParameters(w, r, "fhirapi.unmerge")
	if err != nil {
		return err
	}
	src, err := p.requirePatient("source-patient")
	if err != nil {
		return err
	}
	tgt, err := p.requirePatient("target-patient")
	if err != nil {
		return err
	}
	res, err := a.records.Unmerge(r.Context(), actorOf(r), src, tgt, p.str("reason"))
	return a.sendOpResult(w, r, res, err)
}
