package fhirapi

import (
	"net/http"
	"slices"
	"sort"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language"
	"dsn/search"
)

// smartDocumentation is the CapabilityStatement's rest.security.description,
// in both languages (%s: the base path).
var smartDocumentation = language.Text{
	FR: "OAuth 2.0 / SMART App Launch 2 : jeton Bearer requis pour toute interaction sauf metadata. " +
		"Découverte : %s/.well-known/smart-configuration (authorize, token, révocation RFC 7009 /auth/revoke, " +
		"lancement depuis le dossier /auth/launch, client_credentials pour les systèmes).",
	EN: "OAuth 2.0 / SMART App Launch 2: a Bearer token is required for every interaction but metadata. " +
		"Discovery: %s/.well-known/smart-configuration (authorize, token, RFC 7009 revocation /auth/revoke, " +
		"launch from the record /auth/launch, client_credentials for systems).",
}

// metadata: GET [base]/metadata (http.html#capabilities) answers the
// CapabilityStatement built once at start-up from what this server really does,
// its texts in the request's language (Accept-Language, French by default).
func (a *API) metadata(w http.ResponseWriter, r *http.Request) error {
	l := language.Of(r)
	language.Header(w, l)
	caps := a.caps[0]
	if l == language.English {
		caps = a.caps[1]
	}
	a.send(w, r, http.StatusOK, caps)
	return nil
}

// typeInteractions are the instance and type interactions every type supports.
var typeInteractions = []string{"read", "vread", "update", "patch", "delete",
	"history-instance", "history-type", "create", "search-type"}

// capabilityStatement describes the server (capabilitystatement.html): every
// resource type with its interactions and the search parameters whose index
// rows are actually extracted (search.Unsupported ones are left out); its
// texts in l.
func (a *API) capabilityStatement(l language.Tag) []byte {
	var resources []any
	for _, t := range a.types {
		rc := resourceCapability(t)
		// Every type: $validate (validate.go, resource-operations.html#validate).
		ops := []any{map[string]any{"name": "validate", "definition": validateOpURL}}
		if t == "Patient" {
			ops = append(append(ops, patientOperations(a.mpi != nil)...), a.mpiPatientOperations()...)
		}
		if t == "Task" {
			ops = append(ops, a.mpiTaskOperations()...)
		}
		rc["operation"] = ops
		resources = append(resources, rc)
	}
	cs := fhir.Object{
		"resourceType":   "CapabilityStatement",
		"status":         "active",
		"date":           dsn.FormatInstant(dsn.SystemClock{}.Now()),
		"publisher":      "DSN — Dossier santé numérique",
		"kind":           "instance",
		"software":       map[string]any{"name": "DSN"},
		"implementation": map[string]any{"description": "Dossier santé numérique (FHIR R4)"},
		"fhirVersion":    "4.0.1",
		"format":         []any{"application/fhir+json", "json"},
		"patchFormat":    []any{"application/json-patch+json"},
		"rest": []any{map[string]any{
			"mode":          "server",
			"documentation": searchDocumentation.In(l),
			"resource":      resources,
			// http.html#search: GET Patient/[id]/[type] (compartment.go)
			"compartment": []any{"http://hl7.org/fhir/CompartmentDefinition/patient"},
			// search-system accepts the parameters of every resource (search.html#all)
			"searchParam": []any{
				map[string]any{"name": "_id", "type": "token"},
				map[string]any{"name": "_lastUpdated", "type": "date"},
				map[string]any{"name": "_tag", "type": "token"},
				map[string]any{"name": "_profile", "type": "uri"},
				map[string]any{"name": "_security", "type": "token"},
				map[string]any{"name": "_source", "type": "uri"},
			},
			"interaction": []any{
				map[string]any{"code": "transaction"},
				map[string]any{"code": "batch"},
				map[string]any{"code": "history-system"},
				map[string]any{"code": "search-system"},
			},
		}},
	}
	if _, ok := a.authz.(Bearer); ok {
		// SMART App Launch 2 (app-launch/conformance.html): the endpoints are
		// in the discovery document; the CapabilityStatement names the service
		rest := cs["rest"].([]any)[0].(map[string]any)
		rest["security"] = map[string]any{
			"cors": false,
			"service": []any{map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}}}},
			"description": smartDocumentation.Format(a.prefix).In(l),
		}
	}
	if a.exporter != nil {
		declareExport(cs) // export.go
	}
	if a.importer != nil {
		declareImport(cs) // import.go
	}
	return fhir.Encode(cs)
}

// patientOperations are the Patient operations served: $everything
// (operation-patient-everything.html), and $match (patient-operation-match.html)
// when an MPI index is configured.
func patientOperations(match bool) []any {
	ops := []any{map[string]any{"name": "everything",
		"definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}}
	if match {
		ops = append(ops, map[string]any{"name": "match",
			"definition": "http://hl7.org/fhir/OperationDefinition/Patient-match"})
	}
	return ops
}

func resourceCapability(t string) map[string]any {
	var inter []any
	for _, code := range typeInteractions {
		inter = append(inter, map[string]any{"code": code})
	}
	unsupported := search.Unsupported(t)
	params := fhir.SearchParams(t)
	codes := make([]string, 0, len(params))
	for c := range params {
		if !slices.Contains(unsupported, c) {
			codes = append(codes, c)
		}
	}
	sort.Strings(codes)
	var sp, incl []any
	for _, c := range codes {
		p := params[c]
		e := map[string]any{"name": c, "type": string(p.Type)}
		if p.URL != "" {
			e["definition"] = p.URL
		}
		sp = append(sp, e)
		if p.Type == dsn.ParamReference {
			incl = append(incl, t+":"+c) // search.html#include, answered by repo
		}
	}
	rc := map[string]any{
		"type":              t,
		"interaction":       inter,
		"versioning":        "versioned-update",
		"readHistory":       true,
		"updateCreate":      true,
		"conditionalCreate": true,
		"conditionalRead":   "full-support",
		"conditionalUpdate": true,
		"conditionalDelete": "single",
	}
	if len(sp) > 0 {
		rc["searchParam"] = sp
	}
	if len(incl) > 0 {
		rc["searchInclude"] = append(incl, "*")
	}
	if rev := searchRevIncludes(t); len(rev) > 0 {
		rc["searchRevInclude"] = rev
	}
	return rc
}
