package fhirapi

import (
	"context"
	"net/http"
	"net/url"

	"dsn"
	"dsn/access"
	"dsn/fhir"
)

// BreakGlassFunc opens a patient's record to p for a limited time on a
// stated reason (access.Service.BreakGlass behind a check that the patient
// exists). Errors: KindNotFound, KindForbidden, KindInvalid.
type BreakGlassFunc func(ctx context.Context, p *access.Principal, patient, reason string) (access.Grant, error)

// breakGlass: POST [base]/Patient/[id]/$break-the-glass with a Parameters
// body holding "reason" (valueString). The answer is a Parameters with the
// grant's id and end; the journal entry carries the reason, and privacy
// officers see the grant at once (AuditEvent, access reports).
func (a *API) breakGlass(w http.ResponseWriter, r *http.Request) error {
	p := access.PrincipalFrom(r.Context())
	if p == nil {
		return errorf("fhirapi.breakGlass", dsn.KindUnauthorized, "breakglass.auth")
	}
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	params := url.Values{}
	if err := everythingParameters(body, params); err != nil {
		return errorf("fhirapi.breakGlass", dsn.KindInvalid, "breakglass.reason")
	}
	id := r.PathValue("id")
	g, err := a.breakGlassFn(r.Context(), p, id, params.Get("reason"))
	if err != nil {
		return err
	}
	access.DisclosuresFrom(r.Context()).SetEvent("break-glass", id, g.Reason)
	a.send(w, r, http.StatusOK, fhir.Object{"resourceType": "Parameters", "parameter": []any{
		map[string]any{"name": "grant", "valueString": g.ID},
		map[string]any{"name": "end", "valueInstant": dsn.FormatInstant(g.End)},
		map[string]any{"name": "reason", "valueString": g.Reason},
	}})
	return nil
}
