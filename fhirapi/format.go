package fhirapi

import (
	"mime"
	"net/http"
	"strings"

	"dsn"
)

// jsonTypes are the media types we speak (http.html#mime-type, and the
// _format shorthands of http.html#parameters).
var jsonTypes = map[string]bool{"json": true, "application/json": true,
	"application/fhir+json": true, "application/json+fhir": true}

var xmlTypes = map[string]bool{"xml": true, "text/xml": true, "application/xml": true,
	"application/fhir+xml": true, "application/xml+fhir": true}

// negotiate checks _format, Accept and the request Content-Type: DSN speaks
// FHIR JSON only, so XML (or anything else) is refused with 415/406.
func negotiate(r *http.Request) error {
	if f := queryValue(r, "_format"); f != "" {
		mt, _, _ := mime.ParseMediaType(f)
		if !jsonTypes[strings.ToLower(mt)] && !jsonTypes[strings.ToLower(f)] {
			return errorf("fhirapi", dsn.KindUnsupportedMedia, "format.param", f)
		}
		return checkContentType(r)
	}
	if acc := r.Header.Get("Accept"); acc != "" && !acceptsJSON(acc) {
		return errorf("fhirapi", dsn.KindNotAcceptable, "format.accept", acc)
	}
	return checkContentType(r)
}

// acceptsJSON reports whether an Accept header allows a JSON answer.
func acceptsJSON(accept string) bool {
	switch accept { // what FHIR clients send, answered without parsing
	case "application/fhir+json", "application/json", "*/*":
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if params["q"] == "0" {
			continue
		}
		mt = strings.ToLower(mt)
		if jsonTypes[mt] || mt == "*/*" || mt == "application/*" {
			return true
		}
	}
	return false
}

// queryValue is r.URL.Query().Get(key) for the parameters every request is
// checked for (_format, _pretty): it parses the query only when it may hold
// key — spelled out, or with a percent-escape that might spell it —, which
// spares reads without them a map of the query per lookup.
func queryValue(r *http.Request, key string) string {
	raw := r.URL.RawQuery
	if raw == "" || !strings.Contains(raw, key) && !strings.Contains(raw, "%") {
		return ""
	}
	return r.URL.Query().Get(key)
}

// checkContentType refuses bodies in a format we do not read.
func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" || r.Method == http.MethodGet || r.Method == http.MethodDelete || r.Method == http.MethodHead {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	mt = strings.ToLower(mt)
	switch {
	case err != nil:
		return errorf("fhirapi", dsn.KindUnsupportedMedia, "content-type.unreadable", ct)
	case jsonTypes[mt], mt == "application/json-patch+json", mt == "application/x-www-form-urlencoded":
		return nil
	case xmlTypes[mt]:
		return errorf("fhirapi", dsn.KindUnsupportedMedia, "content-type.xml")
	}
	return errorf("fhirapi", dsn.KindUnsupportedMedia, "content-type.unsupported", ct)
}

// prefer is the parsed Prefer header (http.html#prefer, RFC 7240).
type prefer struct {
	ret    string // minimal | representation | OperationOutcome ("" = representation)
	strict bool   // handling=strict (search.html#errors)
}

func parsePrefer(r *http.Request) prefer {
	var p prefer
	for _, h := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(h, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "return":
				p.ret = v
			case "handling":
				p.strict = v == "strict"
			}
		}
	}
	return p
}
