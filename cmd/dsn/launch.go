package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dsn"
	"dsn/access"
	"dsn/authapi"
	"dsn/fhir"
	"dsn/fhirapi"
	"dsn/mpi"
	"dsn/repo"
)

// patientDirectory reads patients for the SMART launch flows
// (authapi.Patients) through the guarded repository, as /fhir does: the
// picker lists only the patients the user may see, and every read or
// search leaves its journal entries before anything is shown (LRSSS s. 103).
type patientDirectory struct {
	repo *repo.Service // over access.NewGuard
	m    *Main
}

var _ authapi.Patients = patientDirectory{}

// Find searches Patients by name, NAM and birth date.
func (d patientDirectory) Find(ctx context.Context, p *access.Principal, q authapi.PatientQuery, max int, from *http.Request) ([]authapi.PatientCard, error) {
	params := url.Values{"_count": {strconv.Itoa(max)}}
	if q.Name != "" {
		params.Set("name", q.Name)
	}
	if q.NAM != "" {
		params.Set("identifier", mpi.NAMSystem+"|"+q.NAM)
	}
	if q.BirthDate != "" {
		params.Set("birthdate", q.BirthDate)
	}
	ctx, _ = access.WithDisclosures(access.WithPrincipal(ctx, p))
	b, err := d.repo.Search(ctx, "", "Patient", params, true)
	if jerr := d.journal(ctx, from, "search-type", "", params.Encode(), err); jerr != nil {
		return nil, jerr
	}
	if err != nil {
		return nil, err
	}
	var out []authapi.PatientCard
	for _, e := range list(b["entry"]) {
		em, _ := e.(map[string]any)
		raw, err := json.Marshal(em["resource"]) // the stored bytes, as the store gave them
		if err != nil {
			return nil, err
		}
		res, err := fhir.Decode(raw)
		if err != nil || res["resourceType"] != "Patient" || mpi.IsGolden(res) {
			continue // OperationOutcome entries; golden records are derived
		}
		out = append(out, card(res))
	}
	return out, nil
}

// Check reads the patient, and the encounter (which must be the patient's).
func (d patientDirectory) Check(ctx context.Context, p *access.Principal, patient, encounter string, from *http.Request) error {
	ctx, _ = access.WithDisclosures(access.WithPrincipal(ctx, p))
	_, err := d.repo.Read(ctx, "Patient", patient)
	if err == nil && encounter != "" {
		var enc dsn.Resource
		if enc, err = d.repo.Read(ctx, "Encounter", encounter); err == nil {
			obj, derr := fhir.Decode(enc.Body)
			subj, _ := obj["subject"].(map[string]any)
			if derr != nil || subj["reference"] != "Patient/"+patient {
				err = &dsn.Error{Op: "launch", Kind: dsn.KindInvalid, // error_description of /auth/launch, French or English
					Msg:     "la rencontre Encounter/" + encounter + " n'est pas celle de l'usager Patient/" + patient,
					English: "Encounter/" + encounter + " is not an encounter of Patient/" + patient}
			}
		}
	}
	if jerr := d.journal(ctx, from, "read", patient, "", err); jerr != nil {
		return jerr
	}
	return err
}

// journal records the reads of one launch step like a FHIR request's.
func (d patientDirectory) journal(ctx context.Context, from *http.Request, interaction, patient, query string, err error) error {
	status, outcome := 200, ""
	if err != nil {
		outcome = dsn.KindOf(err).String()
		status = map[dsn.Kind]int{dsn.KindNotFound: 404, dsn.KindForbidden: 403, dsn.KindInvalid: 400}[dsn.KindOf(err)]
		if status == 0 {
			status = 500
		}
	}
	rec := fhirapi.Record{Time: time.Now().UTC(), Status: status, Outcome: outcome,
		Request: fhirapi.Request{Method: from.Method, Path: from.URL.Path, Query: query, RemoteAddr: from.RemoteAddr,
			Interaction: interaction, Type: "Patient", ID: patient}}
	if jerr := d.m.audit.Record(ctx, fhirapi.Entries(ctx, rec)...); jerr != nil {
		return dsn.Wrap("launch", dsn.KindUnavailable, jerr)
	}
	return nil
}

// card is the picker's line for a Patient.
func card(res map[string]any) authapi.PatientCard {
	c := authapi.PatientCard{ID: str(res["id"]), BirthDate: str(res["birthDate"])}
	switch str(res["gender"]) {
	case "female":
		c.Gender = "F"
	case "male":
		c.Gender = "M"
	case "other":
		c.Gender = "autre"
	}
	if names := list(res["name"]); len(names) > 0 {
		n, _ := names[0].(map[string]any)
		if t := str(n["text"]); t != "" {
			c.Name = t
		} else {
			var parts []string
			for _, g := range list(n["given"]) {
				parts = append(parts, str(g))
			}
			c.Name = strings.TrimSpace(strings.Join(parts, " ") + " " + str(n["family"]))
		}
	}
	for _, id := range list(res["identifier"]) {
		im, _ := id.(map[string]any)
		if str(im["system"]) == mpi.NAMSystem {
			c.NAM = str(im["value"])
		}
	}
	return c
}

func list(v any) []any { l, _ := v.([]any); return l }
func str(v any) string { s, _ := v.(string); return s }
