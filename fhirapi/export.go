package fhirapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"dsn"
	"dsn/access"
	"dsn/bulk"
	"dsn/fhir"
)

// FHIR Bulk Data export, kick-off (https://hl7.org/fhir/uv/bulkdata/export.html#bulk-data-kick-off-request):
// GET or POST [base]/$export, [base]/Patient/$export, [base]/Group/[id]/$export.
// The job runs in the background (bulk.Exporter); the answer is 202 Accepted
// with Content-Location, the status URL the client polls (exportstatus.go).

// outputFormats are the _outputFormat values meaning NDJSON (export.html#query-parameters).
var outputFormats = map[string]bool{"application/fhir+ndjson": true, "application/ndjson": true, "ndjson": true}

// unsupportedExport are the kick-off parameters DSN does not apply yet: an
// error unless the client asked for Prefer: handling=lenient.
var unsupportedExport = []string{"_typeFilter", "_elements", "includeAssociatedData", "_until", "organizeOutputBy", "allowPartialManifests"}

// exportKickoff returns the kick-off handler of one level (bulk.LevelSystem,
// LevelPatient or LevelGroup).
func (a *API) exportKickoff(level string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !preferAsync(r) {
			return invalidInput("", "export.async")
		}
		params := r.URL.Query()
		if r.Method == http.MethodPost {
			body, err := a.readBody(w, r)
			if err != nil {
				return err
			}
			if err := exportParameters(body, params); err != nil {
				return err
			}
		}
		q, err := exportQuery(level, r.PathValue("id"), params, lenient(r))
		if err != nil {
			return err
		}
		j, err := a.exporter.Submit(r.Context(), q, a.base(r)+strings.TrimPrefix(r.URL.RequestURI(), a.prefix))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Location", a.base(r)+"/$export-status?_jobId="+url.QueryEscape(j.ID))
		a.inform(w, r, http.StatusAccepted, "export.accepted")
		return nil
	}
}

// exportQuery reads the kick-off parameters (export.html#query-parameters).
func exportQuery(level, group string, params url.Values, lenient bool) (bulk.Query, error) {
	q := bulk.Query{Level: level, GroupID: group}
	if f := params.Get("_outputFormat"); f != "" && !outputFormats[f] {
		return q, invalidInput("_outputFormat", "export.format", f)
	}
	for _, v := range params["_type"] {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				q.Types = append(q.Types, t)
			}
		}
	}
	if s := params.Get("_since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return q, invalidInput("_since", "export.since", s)
		}
		q.Since = t.UTC()
	}
	for _, p := range params["patient"] {
		id, ok := strings.CutPrefix(p, "Patient/")
		if !ok || id == "" {
			return q, invalidInput("patient", "export.patient", p)
		}
		q.Patients = append(q.Patients, id)
	}
	if lenient {
		return q, nil
	}
	for _, name := range unsupportedExport {
		if params.Has(name) {
			return q, invalidInput(name, "export.later", name)
		}
	}
	return q, nil
}

// exportParameters adds the parameters of a POST kick-off's Parameters body
// to params: primitive values as they are, a valueReference (patient) as its
// reference (export.html#query-parameters, operations.html#executing).
func exportParameters(body []byte, params url.Values) error {
	obj, err := fhir.Decode(body)
	if err != nil {
		return dsn.Wrap("fhirapi", dsn.KindInvalid, err)
	}
	if fhir.ResourceType(obj) != "Parameters" {
		return invalidInput("", "export.post")
	}
	list, _ := obj["parameter"].([]any)
	for _, p := range list {
		m, _ := p.(map[string]any)
		name, _ := m["name"].(string)
		for k, v := range m {
			if !strings.HasPrefix(k, "value") {
				continue
			}
			switch x := v.(type) {
			case string:
				params.Add(name, x)
			case json.Number, bool:
				params.Add(name, fmt.Sprint(x))
			case map[string]any:
				ref, _ := x["reference"].(string)
				if k != "valueReference" || ref == "" {
					return invalidInput("Parameters.parameter", "export.value", name)
				}
				params.Add(name, ref)
			}
		}
	}
	return nil
}

// preferAsync tells whether the Prefer header asks for respond-async (RFC 7240).
func preferAsync(r *http.Request) bool { return preferHas(r, "respond-async") }

// lenient tells whether the Prefer header asks for handling=lenient.
func lenient(r *http.Request) bool { return preferHas(r, "handling=lenient") }

func preferHas(r *http.Request, token string) bool {
	for _, h := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(h, ",") {
			if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(part), " ", ""), token) {
				return true
			}
		}
	}
	return false
}

// exportRoutes adds the Bulk Data routes (api.go calls it when an Exporter is set).
func (a *API) exportRoutes(m router) {
	p := a.prefix
	sys := a.systemOnly
	for _, method := range []string{"GET ", "POST "} {
		m.Handle(method+p+"/$export", a.h(sys(a.exportKickoff(bulk.LevelSystem))))
		m.Handle(method+p+"/Patient/$export", a.h(sys(a.exportKickoff(bulk.LevelPatient))))
		m.Handle(method+p+"/Group/{id}/$export", a.h(sys(a.exportKickoff(bulk.LevelGroup))))
	}
	m.Handle("GET "+p+"/$export-status", a.h(sys(a.exportStatus)))
	m.Handle("DELETE "+p+"/$export-status", a.h(sys(a.exportDelete)))
	m.Handle("GET "+p+"/$export-file", a.download(sys(a.exportFile)))
}

// systemOnly: bulk export runs in the background on the store itself, past
// the per-resource guard, so with access control it is for back-end systems
// only (SMART Backend Services, system/ scopes), each request journaled.
func (a *API) systemOnly(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if p := access.PrincipalFrom(r.Context()); p != nil && p.Role != access.RoleSystem {
			return errorf("fhirapi.export", dsn.KindForbidden, "export.system-only")
		}
		return next(w, r)
	}
}

// download is a.h for routes that answer something else than FHIR JSON (the
// NDJSON files): no Accept negotiation.
func (a *API) download(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				a.writeError(w, r, &dsn.Error{Op: "fhirapi", Kind: dsn.KindInternal, Err: fmt.Errorf("panic: %v", p)})
			}
		}()
		if err := fn(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// declareExport adds Bulk Data export to the CapabilityStatement
// (bulkdata CapabilityStatement-bulk-data: the system operation, and the
// Patient and Group ones on their resources).
func declareExport(cs fhir.Object) {
	const def = "http://hl7.org/fhir/uv/bulkdata/"
	cs["instantiates"] = []any{def + "CapabilityStatement/bulk-data"}
	rest := cs["rest"].([]any)[0].(map[string]any)
	rest["operation"] = append(asList(rest["operation"]), map[string]any{"name": "export", "definition": def + "OperationDefinition/export"})
	for _, rc := range rest["resource"].([]any) {
		m := rc.(map[string]any)
		switch m["type"] {
		case "Patient":
			m["operation"] = append(asList(m["operation"]), map[string]any{"name": "export", "definition": def + "OperationDefinition/patient-export"})
		case "Group":
			m["operation"] = append(asList(m["operation"]), map[string]any{"name": "export", "definition": def + "OperationDefinition/group-export"})
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
