// Package language chooses the language DSN answers in: French first,
// English on request (the project's rule). The authorisation pages
// (authapi), the JSON answers of the authorisation server and the
// OperationOutcomes of the FHIR API all choose here, the same way; the words
// themselves stay in each package's catalogue, in both languages.
package language

import (
	"net/http"
	"strconv"
	"strings"

	"dsn"
	"dsn/internal/language/words"
)

// Tag is one of the two languages DSN speaks (words.Tag: the domain
// packages name them without HTTP).
type Tag = words.Tag

const (
	French  = words.French
	English = words.English
)

// Cookie remembers a user's choice made on the authorisation pages (the
// « English » / « Français » switch); it is no secret.
const Cookie = "dsn_lang"

// Parse accepts the two languages DSN speaks.
func Parse(s string) (Tag, bool) {
	switch Tag(s) {
	case French, English:
		return Tag(s), true
	}
	return "", false
}

// Of is the language of an answer that is not a page (JSON of the
// authorisation server, FHIR OperationOutcome): the user's choice kept in
// the cookie (sent only under the authorisation server's path), else
// Accept-Language, else French. FHIR R4 defines no parameter for the
// language of a response (http.html; `_language` of DSTU2 and STU3 was a
// search on Resource.language, not a choice of words), so Accept-Language
// (RFC 9110 §12.5.4) is the only way a FHIR client asks.
func Of(r *http.Request) Tag {
	if c, err := r.Cookie(Cookie); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l
		}
	}
	return Accept(r.Header.Get("Accept-Language"))
}

// Accept picks English only when the header's weights (RFC 9110 §12.5.4:
// "tag;q=0.8", q from 0 to 1, 1 when absent, 0 = not acceptable) give en
// more than fr; a range matches by its primary subtag (fr-CA is French). A
// tie, or neither named, is French.
func Accept(h string) Tag {
	if h == "" {
		return French
	}
	var qfr, qen float64
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				if x, err := strconv.ParseFloat(v, 64); err == nil && x >= 0 && x <= 1 {
					q = x
				} else {
					q = 0 // a malformed weight counts for nothing
				}
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch primary {
		case "fr":
			qfr = max(qfr, q)
		case "en":
			qen = max(qen, q)
		}
	}
	if qen > qfr {
		return English
	}
	return French
}

// Message is the user's message of err in l: dsn.Message, or in English
// the English of the same error when the package that built it has one
// (dsn.Error.English); else the French.
func Message(err error, l Tag) string {
	if l == English {
		return dsn.EnglishMessage(err)
	}
	return dsn.Message(err)
}

// Header says which language the answer speaks (RFC 9110 §8.5) and that it
// depends on the request's Accept-Language and cookie.
func Header(w http.ResponseWriter, l Tag) {
	w.Header().Set("Content-Language", string(l))
	w.Header().Add("Vary", "Accept-Language")
}

// Text is one sentence of a catalogue, in both languages (words.Text).
type Text = words.Text
