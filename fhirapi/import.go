package fhirapi

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dsn"
	"dsn/access"
	"dsn/bulk"
	"dsn/fhir"
	"dsn/internal/language"
)

// FHIR Bulk Data import ($import). The operation is not in the published
// Bulk Data IG (export only, https://hl7.org/fhir/uv/bulkdata/); DSN follows
// its asynchronous pattern (export.html#bulk-data-kick-off-request) and the
// shape of the Bulk Import proposal (github.com/smart-on-fhir/bulk-import):
//
//   - POST [base]/$import, Prefer: respond-async, with either a JSON body
//     naming NDJSON inputs by URL — a Parameters (inputFormat, inputSource,
//     input parts type + url) or the proposal's manifest {"inputFormat",
//     "input": [{"type", "url"}]} — or the NDJSON itself as the body
//     (Content-Type application/fhir+ndjson, gzip accepted). URLs must be on
//     the loopback interface: the server fetching from anywhere would be a
//     request-forgery hole; other sources upload.
//   - 202 Accepted + Content-Location: GET [base]/$import-status?_jobId=…
//     answers 202 with X-Progress while it runs, then 200 with one output
//     entry per input (counts) and one error entry per input that has
//     rejected records, whose url gives an NDJSON file of OperationOutcomes
//     (GET [base]/$import-errors?_jobId=…&file=N). DELETE on the status URL
//     cancels (what was committed stays).
//
// Inputs are loaded by bulk.Import like `dsn import`: validated, indexed,
// upserted by id (idempotent), golden records made for new registrations.

// ndjsonTypes are the media types of an uploaded NDJSON body.
var ndjsonTypes = map[string]bool{"application/fhir+ndjson": true, "application/ndjson": true, "application/x-ndjson": true}

// importKickoff starts a job (see above).
func (a *API) importKickoff(w http.ResponseWriter, r *http.Request) error {
	if !preferAsync(r) {
		return invalidInput("", "import.async")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	mt = strings.ToLower(mt)
	var inputs []bulk.ImportInput
	switch {
	case ndjsonTypes[mt]:
		// gzip is recognised by its magic bytes when the input is read,
		// whether or not Content-Encoding says so.
		in, err := a.importer.Stage(r.Body)
		if err != nil {
			return err
		}
		inputs = []bulk.ImportInput{in}
	case mt == "" || jsonTypes[mt]:
		body, err := a.readBody(w, r)
		if err != nil {
			return err
		}
		if inputs, err = importInputs(body); err != nil {
			return err
		}
	default:
		return errorf("fhirapi.import", dsn.KindUnsupportedMedia, "import.media", mt)
	}
	// the job's own errors (rejected records, an input that cannot be
	// read) speak the kick-off's language
	j, err := a.importer.Submit(r.Context(), a.base(r)+strings.TrimPrefix(r.URL.RequestURI(), a.prefix), language.Of(r), inputs)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Location", a.base(r)+"/$import-status?_jobId="+url.QueryEscape(j.ID))
	a.inform(w, r, http.StatusAccepted, "import.accepted")
	return nil
}

// importInputs reads the inputs of a JSON kick-off body: a Parameters or
// the Bulk Import manifest. Each needs a url on the loopback interface.
func importInputs(body []byte) ([]bulk.ImportInput, error) {
	// the Bulk Import manifest is plain JSON (no resourceType)
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, invalidInput("", "import.body")
	}
	var format string
	var inputs []bulk.ImportInput
	if fhir.ResourceType(obj) == "Parameters" {
		for _, p := range objects(obj["parameter"]) {
			switch p["name"] {
			case "inputFormat":
				format = firstString(p, "valueCode", "valueString")
			case "input":
				var in bulk.ImportInput
				for _, part := range objects(p["part"]) {
					switch part["name"] {
					case "type":
						in.Type = firstString(part, "valueCode", "valueString")
					case "url":
						in.URL = firstString(part, "valueUri", "valueUrl", "valueString")
					}
				}
				inputs = append(inputs, in)
			}
		}
	} else {
		format, _ = obj["inputFormat"].(string)
		for _, in := range objects(obj["input"]) {
			t, _ := in["type"].(string)
			u, _ := in["url"].(string)
			inputs = append(inputs, bulk.ImportInput{Type: t, URL: u})
		}
	}
	if format != "" && !outputFormats[format] {
		return nil, invalidInput("inputFormat", "import.format", format)
	}
	if len(inputs) == 0 {
		return nil, invalidInput("input", "import.input")
	}
	for _, in := range inputs {
		if err := bulk.CheckInputURL(in.URL); err != nil {
			return nil, invalidCause("input.url", err)
		}
	}
	return inputs, nil
}

func objects(v any) []map[string]any {
	var out []map[string]any
	list, _ := v.([]any)
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok {
			return s
		}
	}
	return ""
}

// importResult is the complete-status body of an import, shaped like the
// export manifest (export.html#response---complete-status): output lists
// every input with its counts; error the inputs that have an error file.
type importResult struct {
	TransactionTime     string        `json:"transactionTime"`
	Request             string        `json:"request"`
	RequiresAccessToken bool          `json:"requiresAccessToken"`
	Output              []importEntry `json:"output"`
	Error               []importEntry `json:"error"`
}

type importEntry struct {
	Type      string `json:"type,omitempty"`
	InputURL  string `json:"inputUrl"`
	Count     int    `json:"count"`
	Created   *int   `json:"created,omitempty"`
	Updated   *int   `json:"updated,omitempty"`
	Unchanged *int   `json:"unchanged,omitempty"`
	URL       string `json:"url,omitempty"`
}

// importStatus answers a status request: 202 with X-Progress, or 200 with
// the result.
func (a *API) importStatus(w http.ResponseWriter, r *http.Request) error {
	j, err := a.importer.Job(r.Context(), r.URL.Query().Get("_jobId"))
	if err != nil {
		return err
	}
	if j.Status == dsn.ImportFailed {
		// the Bulk Data convention for a job that failed as a whole
		// (export.html#response---error-status): 5xx with an OperationOutcome
		return errorf("fhirapi.importStatus", dsn.KindInternal, "import.failed", j.Error)
	}
	if j.Status != dsn.ImportCompleted {
		l := language.Of(r)
		language.Header(w, l)
		progress := messages["import.waiting"].In(l)
		if j.Status == dsn.ImportRunning {
			progress = fmt.Sprintf(messages["import.running"].In(l), j.Done)
		}
		w.Header().Set("X-Progress", progress)
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	res := importResult{TransactionTime: dsn.FormatInstant(j.TransactionTime), Request: j.Request,
		RequiresAccessToken: true, Output: []importEntry{}, Error: []importEntry{}}
	for i, in := range j.Inputs {
		stored := in.Created + in.Updated + in.Unchanged
		res.Output = append(res.Output, importEntry{Type: in.Type, InputURL: in.URL, Count: stored,
			Created: &in.Created, Updated: &in.Updated, Unchanged: &in.Unchanged})
		if in.ErrorLines > 0 {
			res.Error = append(res.Error, importEntry{Type: "OperationOutcome", InputURL: in.URL, Count: in.ErrorLines,
				URL: a.base(r) + "/$import-errors?_jobId=" + url.QueryEscape(j.ID) + "&file=" + strconv.Itoa(i+1)})
		}
	}
	body, _ := json.Marshal(res)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Expires", j.Updated.Add(a.importer.Keep()).UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return nil
}

// importDelete cancels a job; what it committed stays.
func (a *API) importDelete(w http.ResponseWriter, r *http.Request) error {
	if err := a.importer.Cancel(r.Context(), r.URL.Query().Get("_jobId")); err != nil {
		return err
	}
	a.inform(w, r, http.StatusAccepted, "import.cancelled")
	return nil
}

// importErrors streams the error file of one input (NDJSON of OperationOutcomes).
func (a *API) importErrors(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("file"))
	if err != nil {
		return errorf("fhirapi", dsn.KindNotFound, "import.file", q.Get("file"))
	}
	if _, err := a.importer.Job(r.Context(), q.Get("_jobId")); err != nil {
		return err
	}
	out := &fileWriter{w: w, gzip: acceptsGzip(r)}
	err = a.importer.WriteErrors(r.Context(), q.Get("_jobId"), n, out)
	if err != nil && !out.started {
		return err
	}
	if err == nil && !out.started {
		out.start()
	}
	out.close()
	return nil
}

// importRoutes adds the $import routes (api.go calls it when an Importer is
// set). The kick-off reads NDJSON bodies, so it skips the FHIR JSON
// negotiation (download) and checks its media type itself.
func (a *API) importRoutes(m router) {
	p := a.prefix
	g := a.importOnly
	m.Handle("POST "+p+"/$import", a.download(g(a.importKickoff)))
	m.Handle("GET "+p+"/$import-status", a.h(g(a.importStatus)))
	m.Handle("DELETE "+p+"/$import-status", a.h(g(a.importDelete)))
	m.Handle("GET "+p+"/$import-errors", a.download(g(a.importErrors)))
}

// importOnly: an import writes past the per-resource guard (it validates but
// does not ask the policy about each record), so with access control it is
// for back-end systems and medical archivists (who bring in the records of a
// retired system), each request journaled.
func (a *API) importOnly(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if p := access.PrincipalFrom(r.Context()); p != nil && p.Role != access.RoleSystem && p.Role != access.RoleArchivist {
			return errorf("fhirapi.import", dsn.KindForbidden, "import.system-only")
		}
		return next(w, r)
	}
}

// declareImport adds $import to the CapabilityStatement. The Bulk Data IG
// defines no import operation: the definition is DSN's own (like the MPI's).
func declareImport(cs fhir.Object) {
	rest := cs["rest"].([]any)[0].(map[string]any)
	rest["operation"] = append(asList(rest["operation"]), map[string]any{"name": "import",
		"definition": mpiOperationBase + "import"})
}
