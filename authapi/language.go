package authapi

import (
	"html/template"
	"net/http"
	"net/url"

	"dsn/internal/language"
)

// The language of the authorisation pages (sign-in, patient picker,
// consent, errors). DSN speaks French first, English on request: the
// user's choice (the « English » / « Français » switch of every page,
// remembered in a cookie), else the browser's Accept-Language when it
// prefers English to French (RFC 9110 §12.5.4), else French
// (internal/language, which the JSON answers and the FHIR API use too). The
// words are in messages.go, both languages side by side.

type lang string

const (
	fr = lang(language.French)
	en = lang(language.English)
)

// langCookie remembers the user's choice; it is no secret (Lax, one year).
const langCookie = language.Cookie

// parseLang accepts the two languages DSN speaks.
func parseLang(s string) (lang, bool) {
	l, ok := language.Parse(s)
	return lang(l), ok
}

// other is the language the switch offers.
func (l lang) other() lang { return lang(language.Tag(l).Other()) }

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
	return lang(language.Of(r))
}

// jsonLang is the language of a JSON answer (no page, so no switch: the
// cookie or Accept-Language, internal/language), which Content-Language
// names.
func jsonLang(w http.ResponseWriter, r *http.Request) lang {
	l := language.Of(r)
	language.Header(w, l)
	return lang(l)
}

// message is err's message for a user in l ("" for no error).
func (l lang) message(err error) string {
	if err == nil {
		return ""
	}
	return language.Message(err, language.Tag(l))
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
