package authapi

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The language of the authorisation pages (sign-in, patient picker,
// consent, errors). DSN speaks French first, English on request: the
// user's choice (the « English » / « Français » switch of every page,
// remembered in a cookie), else the browser's Accept-Language when it
// prefers English to French (RFC 9110 §12.5.4), else French. The words
// are in messages.go, one table per language.

type lang string

const (
	fr lang = "fr"
	en lang = "en"
)

// langCookie remembers the user's choice; it is no secret (Lax, one year).
const langCookie = "dsn_lang"

// parseLang accepts the two languages DSN speaks.
func parseLang(s string) (lang, bool) {
	switch lang(s) {
	case fr, en:
		return lang(s), true
	}
	return "", false
}

// other is the language the switch offers.
func (l lang) other() lang {
	if l == en {
		return fr
	}
	return en
}

// t is the page text of message id. Messages are constants of this
// package (never user data), hence template.HTML: apostrophes stay as
// typed. A missing one shows its id (TestMessagesBothLanguages forbids it).
func (l lang) t(id string) template.HTML {
	if m, ok := messages[id][l]; ok {
		return template.HTML(m)
	}
	return template.HTML("[" + id + "]")
}

// text is the plain string of message id, for data escaped by the template
// (error sentences).
func (l lang) text(id string) string { return string(l.t(id)) }

// langOf is the language of the page answering r: a choice made by this
// very request (?lang= on a link, lang in a switch form), else the cookie,
// else Accept-Language, else French.
func langOf(r *http.Request) lang {
	if l, ok := parseLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	if l, ok := parseLang(r.PostForm.Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// langPage sets the headers of a page (securePage) in r's language, which
// Content-Language names (RFC 9110 §8.5), and returns that language.
// redirectURI is the app's, where the page's form may be redirected ("" for none).
func langPage(w http.ResponseWriter, r *http.Request, redirectURI string) lang {
	l := langOf(r)
	securePage(w, redirectURI)
	w.Header().Set("Content-Language", string(l))
	w.Header().Set("Vary", "Accept-Language, Cookie")
	return l
}

// rememberLang keeps a choice made by this request in the cookie.
func (a *API) rememberLang(w http.ResponseWriter, r *http.Request, l lang) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: a.prefix, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
}

// acceptLanguage picks English only when the header's weights (RFC 9110
// §12.5.4: "tag;q=0.8", q from 0 to 1, 1 when absent, 0 = not acceptable)
// give en more than fr; a range matches by its primary subtag (fr-CA is
// French). A tie, or neither named, is French.
func acceptLanguage(h string) lang {
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
		return en
	}
	return fr
}

// switchURL is the GET link to the same authorisation request in the other
// language (its parameters are not secret: they come in the app's URL).
func (a *API) switchURL(l lang, hidden map[string]string) string {
	v := url.Values{}
	for k, x := range hidden {
		v.Set(k, x)
	}
	v.Set("lang", string(l.other()))
	return a.prefix + "/authorize?" + v.Encode()
}

// pageData adds what every page uses: its language, its words and the
// switch to the other language.
func pageData(l lang, data map[string]any) map[string]any {
	data["Lang"], data["T"] = string(l), l.t
	data["Other"], data["OtherName"] = string(l.other()), l.other().t("lang.name")
	return data
}
