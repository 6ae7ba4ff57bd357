package fhirapi

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"dsn"
	"dsn/internal/language"
)

// Bulk Data status and files (https://hl7.org/fhir/uv/bulkdata/export.html#bulk-data-status-request):
// GET [base]/$export-status?_jobId=… polls (202 with X-Progress while the
// job runs, 200 with the manifest when done, 500 with an OperationOutcome if
// it failed), DELETE on it cancels and deletes the job; the manifest's files
// are GET [base]/$export-file?_jobId=…&file=N (NDJSON, gzip when accepted).

// exportStatus answers a status request.
func (a *API) exportStatus(w http.ResponseWriter, r *http.Request) error {
	j, err := a.exporter.Job(r.Context(), r.URL.Query().Get("_jobId"))
	if err != nil {
		return err
	}
	switch j.Status {
	case dsn.ExportCompleted:
		a.sendManifest(w, r, j)
		return nil
	case dsn.ExportFailed:
		return errorf("fhirapi.exportStatus", dsn.KindInternal, "export.failed", j.Error)
	}
	l := language.Of(r)
	language.Header(w, l)
	progress := messages["export.waiting"].In(l)
	if j.Status == dsn.ExportRunning {
		progress = fmt.Sprintf(messages["export.running"].In(l), j.Done)
	}
	w.Header().Set("X-Progress", progress)
	w.Header().Set("Retry-After", "2")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// exportDelete cancels a job and deletes its files (export.html#bulk-data-delete-request).
func (a *API) exportDelete(w http.ResponseWriter, r *http.Request) error {
	if err := a.exporter.Cancel(r.Context(), r.URL.Query().Get("_jobId")); err != nil {
		return err
	}
	a.inform(w, r, http.StatusAccepted, "export.cancelled")
	return nil
}

// manifest is the complete-status body (export.html#response---complete-status).
type manifest struct {
	TransactionTime     string         `json:"transactionTime"`
	Request             string         `json:"request"`
	RequiresAccessToken bool           `json:"requiresAccessToken"`
	Output              []manifestFile `json:"output"`
	Error               []manifestFile `json:"error"`
}

type manifestFile struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// sendManifest answers 200 with the manifest of a completed job. Files are
// requested with the same access as the kick-off (requiresAccessToken).
func (a *API) sendManifest(w http.ResponseWriter, r *http.Request, j dsn.ExportJob) {
	m := manifest{TransactionTime: dsn.FormatInstant(j.TransactionTime), Request: j.Request,
		RequiresAccessToken: true, Output: []manifestFile{}, Error: []manifestFile{}}
	for i, f := range j.Output {
		m.Output = append(m.Output, manifestFile{Type: f.Type, Count: f.Count,
			URL: a.base(r) + "/$export-file?_jobId=" + url.QueryEscape(j.ID) + "&file=" + strconv.Itoa(i+1)})
	}
	body, _ := json.Marshal(m)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Expires", j.Updated.Add(a.exporter.Keep()).UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// exportFile streams one NDJSON file of a completed job, gzip-compressed
// when the client accepts it (export.html#file-request).
func (a *API) exportFile(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("file"))
	if err != nil {
		return errorf("fhirapi", dsn.KindNotFound, "export.file", q.Get("file"))
	}
	out := &fileWriter{w: w, gzip: acceptsGzip(r)}
	err = a.exporter.WriteFile(r.Context(), q.Get("_jobId"), n, out)
	if err != nil && !out.started {
		return err // nothing sent yet: the error is still an OperationOutcome
	}
	if err == nil && !out.started { // an empty file
		out.start()
	}
	out.close() // after an error in the middle, the body is cut short
	return nil
}

// fileWriter sends the 200 status and headers with the first bytes, so that
// an error before them can still be answered properly.
type fileWriter struct {
	w       http.ResponseWriter
	gzip    bool
	zw      *gzip.Writer
	started bool
}

func (f *fileWriter) start() {
	f.started = true
	h := f.w.Header()
	h.Set("Content-Type", "application/fhir+ndjson")
	h.Add("Vary", "Accept-Encoding")
	if f.gzip {
		h.Set("Content-Encoding", "gzip")
		f.zw, _ = gzip.NewWriterLevel(f.w, gzip.BestSpeed)
	}
	f.w.WriteHeader(http.StatusOK)
}

func (f *fileWriter) Write(b []byte) (int, error) {
	if !f.started {
		f.start()
	}
	if f.zw != nil {
		return f.zw.Write(b)
	}
	return f.w.Write(b)
}

func (f *fileWriter) close() {
	if f.zw != nil {
		f.zw.Close()
	}
}
