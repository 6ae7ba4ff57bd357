package fhirapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language"
	"dsn/mpi"
	"dsn/repo"
)

// gzipMin is the size below which compressing costs more than it saves.
const gzipMin = 1024

// gzipWriters are reused: a new flate writer allocates and clears ~1 MB of
// tables, 15 % of the CPU of a patient-scoped search answered with gzip
// (pprof, docs/benchmarks.md 2026-12-06). BestSpeed: bodies are built per
// request, speed over ratio.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// fhirJSON is the Content-Type of every FHIR answer, shared by all of them
// rather than allocated per response (Header.Set makes a new []string); a
// later Set or Add replaces or reallocates it, never writes into it.
var (
	fhirJSON     = []string{"application/fhir+json; charset=utf-8"}
	varyEncoding = []string{"Accept-Encoding"}
)

// encodeBufs are the buffers Bundles and other built answers are encoded
// into, reused from one response to the next: encoding into a fresh buffer
// doubled it up to the Bundle's size (fhir.AppendEncode). A held response
// (the journal's, writeOwned) keeps the buffer until it has written the body,
// then puts it back (releaseEncodeBuf) — with access on, searches encoded
// into fresh buffers cost the collector what the pool saves with access off
// (docs/benchmarks.md, session 8). Buffers that grew past maxPooledEncode (a
// large history page, an $everything) are left to the collector rather than
// kept.
var encodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

const maxPooledEncode = 1 << 20

// releaseEncodeBuf puts buf back into encodeBufs (nil: nothing to put back).
func releaseEncodeBuf(buf *[]byte) {
	if buf != nil && cap(*buf) <= maxPooledEncode {
		encodeBufs.Put(buf)
	}
}

// send writes v (a fhir.Object, or stored JSON bytes) as FHIR JSON with status,
// indented if _pretty=true, gzip-compressed if the client accepts it.
func (a *API) send(w http.ResponseWriter, r *http.Request, status int, v any) {
	var body []byte
	var pooled *[]byte // the buffer body is in, until handed to writeOwned
	switch t := v.(type) {
	case []byte:
		body = t
	default:
		pooled = encodeBufs.Get().(*[]byte)
		body = fhir.AppendEncode((*pooled)[:0], t)
		*pooled = body[:0]
		// w.Write does not keep its argument (io.Writer); writeOwned puts
		// the buffer back itself
		defer func() { releaseEncodeBuf(pooled) }()
	}
	give := pooled // the buffer that goes with body to writeOwned
	if queryValue(r, "_pretty") == "true" {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			body, give = buf.Bytes(), nil
		}
	}
	h := w.Header()
	h["Content-Type"] = fhirJSON
	if len(h["Vary"]) == 0 {
		h["Vary"] = varyEncoding
	} else {
		h.Add("Vary", "Accept-Encoding")
	}
	if len(body) >= gzipMin && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(w)
		zw.Write(body)
		zw.Close()
		gzipWriters.Put(zw)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if o, ok := w.(ownedWriter); ok {
		if give != nil {
			pooled = nil // o puts it back once body is written
		}
		o.writeOwned(body, give) // body is not touched again here
		return
	}
	w.Write(body)
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3), honouring q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// versionHeaders sets ETag and Last-Modified of a version (http.html#versioning).
// The two values share one backing array (one allocation, not two); keys in
// canonical form, as Header.Set would write them.
func versionHeaders(w http.ResponseWriter, res dsn.Resource) {
	v := []string{repo.ETag(res.VersionID), res.LastUpdated.UTC().Format(http.TimeFormat)}
	h := w.Header()
	h["Etag"], h["Last-Modified"] = v[0:1:1], v[1:2:2]
}

// location is the version-specific URL of res (http.html#create: Location).
func (a *API) location(r *http.Request, res dsn.Resource) string {
	return a.base(r) + "/" + res.Type + "/" + res.ID + "/_history/" + strconv.FormatInt(res.VersionID, 10)
}

// sendWrite answers a successful create, update or patch following Prefer
// return= (http.html#ops): the resource (default), nothing, or an OperationOutcome
// saying the sentence id (messages.go) in the request's language.
func (a *API) sendWrite(w http.ResponseWriter, r *http.Request, status int, res dsn.Resource, id string) {
	versionHeaders(w, res)
	switch parsePrefer(r).ret {
	case "minimal":
		w.WriteHeader(status)
	case "OperationOutcome":
		l := language.Of(r)
		language.Header(w, l)
		a.send(w, r, status, writeOutcome(res, messages[id].In(l), l == language.English))
	default:
		a.send(w, r, status, res.Body)
	}
}

// ifMatch reads If-Match as a version number; 0 if absent.
func ifMatch(r *http.Request) (int64, error) {
	v := r.Header.Get("If-Match")
	if v == "" {
		return 0, nil
	}
	n, err := repo.ParseETag(v)
	if err != nil {
		return 0, errorf("fhirapi", dsn.KindInvalid, "if-match.unreadable", v)
	}
	return n, nil
}

// writeOutcome is the OperationOutcome of a successful write (Prefer:
// return=OperationOutcome, http.html#return: "hints and warnings about the
// operation"): the information line, then the write's warnings (namHints),
// in English when english.
func writeOutcome(res dsn.Resource, msg string, english bool) fhir.Object {
	oo := repo.Information(msg)
	issues := oo["issue"].([]any)
	for _, h := range namHints(res) {
		issues = append(issues, map[string]any{"severity": h.Severity, "code": h.Code, "diagnostics": h.In(english),
			"expression": []any{h.Expression}})
	}
	oo["issue"] = issues
	return oo
}

// namHints gives, for a Patient, one warning per disagreement between its
// NAM and its demographics (mpi.NAMWarnings, quebec.md §1.1) — a warning,
// never a refusal, in both languages (mpi/messages.go). Single writes put
// them in their OperationOutcome,
// batch and transaction entries in their response.outcome.
func namHints(res dsn.Resource) []dsn.Issue {
	if res.Type != "Patient" || res.Deleted {
		return nil
	}
	p, err := fhir.Decode(res.Body)
	if err != nil {
		return nil
	}
	var out []dsn.Issue
	for _, w := range mpi.NAMWarnings(p, res.LastUpdated) {
		out = append(out, dsn.Issue{Severity: "warning", Code: "business-rule", Diagnostics: w.FR, English: w.EN, Expression: "Patient.identifier"})
	}
	return out
}
