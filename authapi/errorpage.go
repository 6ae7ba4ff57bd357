package authapi

import (
	"html/template"
	"net/http"
)

// The error page of the authorisation flow: a request DSN will not send back
// to the app (unknown client, forged form, expired session) is answered
// here, in the user's language (language.go), with the headers of the other
// pages (securePage).

var errorPage = authPage("error", "error.title", `<h1>{{call .T "site.name"}}</h1>
<p role="alert">{{.Error}}</p>
{{if .Switch}}<p><a href="{{.Switch}}" hreflang="{{.Other}}" lang="{{.Other}}">{{.OtherName}}</a></p>{{end}}`)

// showError answers status with error id, whose {detail} is err's message
// in the page's language. A GET keeps its parameters in the switch to the
// other language.
func (a *API) showError(w http.ResponseWriter, r *http.Request, status int, id string, err error) {
	l := langPage(w, r, "") // nothing to redirect to
	if chosen, ok := parseLang(r.URL.Query().Get("lang")); ok {
		a.rememberLang(w, r, chosen)
	}
	w.WriteHeader(status)
	sw := ""
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		q.Set("lang", string(l.other()))
		sw = r.URL.Path + "?" + q.Encode()
	}
	errorPage.Execute(w, pageData(l, map[string]any{"Error": errorText(l, id, l.message(err)), "Switch": sw}))
}

// authPage parses one page of the authorisation flow inside the document the
// four pages share: its language, title (message titleKey) and viewport
// around body; the data comes from pageData (.Lang, .T).
func authPage(name, titleKey, body string) *template.Template {
	return template.Must(template.New(name).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{call .T "` + titleKey + `"}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
` + body + `
</main></body></html>`))
}
