package authapi

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"dsn"
	"dsn/access"
)

// The authorisation endpoint (RFC 6749 §3.1) with DSN's minimal French
// sign-in page (the UI issue will restyle it). GET shows the form; POST checks
// the CSRF token (double submit: a SameSite=Strict cookie and a hidden field
// that must match, plus the Origin header when the browser sends one), signs
// the user in and redirects to the client with a one-time code.

var page = authPage("login", "login.title", `<h1>{{call .T "site.name"}}</h1>
<p>{{call .T "login.app"}} <strong>{{.Client}}</strong> {{call .T "login.asks"}} <code>{{.Scope}}</code></p>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset><legend>{{call .T "login.iam"}}</legend>
<label><input type="radio" name="realm" value="staff" {{if ne .Realm "citizen"}}checked{{end}}> {{call .T "login.staff"}}</label>
<label><input type="radio" name="realm" value="citizen" {{if eq .Realm "citizen"}}checked{{end}}> {{call .T "login.citizen"}}</label>
</fieldset>
<label>{{call .T "login.username"}} <input name="username" autocomplete="username" required value="{{.Username}}"></label>
<label>{{call .T "login.password"}} <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">{{call .T "login.submit"}}</button>
</form>
{{if .Federated}}<p><a href="{{.Federated}}">{{.FederatedName}}</a></p>{{end}}
<p><a href="{{.Switch}}" hreflang="{{.Other}}" lang="{{.Other}}">{{.OtherName}}</a></p>`)

// authorizeParams are carried from the GET to the POST in hidden fields.
var authorizeParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
	"code_challenge_method", "aud", "nonce", "launch"}

const csrfCookie = "dsn_csrf"

// formState prepares a page of the authorization flow: a fresh CSRF token in
// its cookie (double submit, checked by the form's handler) and the
// authorization request's parameters to carry as hidden fields.
func (a *API) formState(w http.ResponseWriter, r *http.Request, q url.Values) (csrf string, hidden map[string]string) {
	b := make([]byte, 32)
	rand.Read(b)
	csrf = base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: a.prefix + "/authorize", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: 600})
	hidden = map[string]string{}
	for _, k := range authorizeParams {
		if v := q.Get(k); v != "" {
			hidden[k] = v
		}
	}
	return csrf, hidden
}

func (a *API) authorizeForm(w http.ResponseWriter, r *http.Request) {
	if l, ok := parseLang(r.URL.Query().Get("lang")); ok { // the switch of a page
		a.rememberLang(w, r, l)
	}
	if a.resumeConsent(w, r) {
		return
	}
	ar, ok := a.checkAuthorize(w, r, r.URL.Query())
	if !ok || a.resumePicker(w, r, ar, r.URL.Query()) {
		return
	}
	a.showLogin(w, r, ar, r.URL.Query(), "", "", "", nil, http.StatusOK)
}

// checkAuthorize validates the request; on failure it answers (an error page
// for a bad client or redirect URI, else a redirect with the error).
func (a *API) checkAuthorize(w http.ResponseWriter, r *http.Request, q url.Values) (access.AuthorizeRequest, bool) {
	ar, err := a.auth.CheckAuthorize(r.Context(), q.Get("client_id"), q.Get("redirect_uri"), q.Get("response_type"),
		q.Get("scope"), q.Get("code_challenge"), q.Get("code_challenge_method"))
	if dsn.KindOf(err) == dsn.KindNotFound {
		a.showError(w, r, http.StatusBadRequest, "error.request", err)
		return ar, false
	}
	if err != nil {
		code, desc, _ := strings.Cut(langOf(r).message(err), ": ")
		redirectError(w, r, ar.RedirectURI, q.Get("state"), code, "json.detail", desc)
		return ar, false
	}
	// SMART: aud must name this FHIR server
	if aud := q.Get("aud"); aud != "" && strings.TrimSuffix(aud, "/") != origin(r)+a.fhir {
		redirectError(w, r, ar.RedirectURI, q.Get("state"), "invalid_request", "redirect.aud", "")
		return ar, false
	}
	ar.State, ar.Nonce = q.Get("state"), q.Get("nonce")
	if !a.checkLaunch(w, r, ar, q) {
		return ar, false
	}
	return ar, true
}

// redirectError sends the browser back to the app with an error (RFC 6749
// §4.1.2.1); error_description is the sentence id of messages.go in the
// page's language, {detail} being detail.
func redirectError(w http.ResponseWriter, r *http.Request, redirect, state, code, id, detail string) {
	v := url.Values{"error": {code}}
	if desc := errorText(langOf(r), id, detail); desc != "" {
		v.Set("error_description", desc)
	}
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, withQuery(redirect, v), http.StatusFound)
}

func withQuery(u string, v url.Values) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + v.Encode()
}

// showLogin renders the sign-in page; msg is an error id (messages.go) and
// err the error whose message fills its {detail}, if any.
func (a *API) showLogin(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, q url.Values, realm, username, msg string, err error, status int) {
	csrf, hidden := a.formState(w, r, q)
	l := langPage(w, r, ar.RedirectURI) // securePage: no clickjacking of the sign-in form
	w.WriteHeader(status)
	fedURL, fedName := "", ""
	if a.fed != nil {
		v := url.Values{}
		for k, x := range hidden {
			v.Set(k, x)
		}
		fedURL, fedName = a.prefix+"/federated?"+v.Encode(), l.text("login.federated")+" "+a.fed.Name
	}
	if msg != "" {
		msg = errorText(l, msg, l.message(err))
	}
	page.Execute(w, pageData(l, map[string]any{"Federated": fedURL, "FederatedName": fedName, "Client": ar.Client.Name,
		"Scope": ar.Scope.String(), "Action": a.prefix + "/authorize", "Hidden": hidden, "CSRF": csrf, "Realm": realm,
		"Username": username, "Error": msg, "Switch": a.switchURL(l, hidden)}))
}

// sameOrigin: a browser's cross-site POST carries its own Origin.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == origin(r)
}

func (a *API) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		a.showError(w, r, http.StatusBadRequest, "error.form", nil)
		return
	}
	f := r.PostForm
	c, err := r.Cookie(csrfCookie)
	if err != nil || f.Get("csrf") == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(f.Get("csrf"))) != 1 || !sameOrigin(r) {
		a.note(r, "sign-in", "anonymous", "csrf")
		a.showError(w, r, http.StatusForbidden, "error.csrf", nil)
		return
	}
	if l, ok := parseLang(f.Get("lang")); ok { // the language switch of the picker or consent page
		a.rememberLang(w, r, l)
		a.showAgain(w, r, f)
		return
	}
	if f.Get("consent") != "" {
		a.consentSubmit(w, r, f)
		return
	}
	ar, ok := a.checkAuthorize(w, r, f)
	if !ok {
		return
	}
	if f.Get("picker") != "" && a.patients != nil {
		a.pickerSubmit(w, r, ar, f)
		return
	}
	realm := access.RealmStaff
	if f.Get("realm") == "citizen" {
		realm = access.RealmCitizen
	}
	u, err := a.auth.SignInFrom(r.Context(), realm, f.Get("username"), f.Get("password"), remoteIP(r))
	if errors.Is(err, access.ErrThrottled) {
		a.note(r, "sign-in", "user:"+f.Get("username"), "throttled")
		a.showLogin(w, r, ar, f, string(realm), f.Get("username"), "error.throttled", err, http.StatusTooManyRequests)
		return
	}
	if err != nil {
		a.note(r, "sign-in", "user:"+f.Get("username"), "unauthorized")
		a.showLogin(w, r, ar, f, string(realm), f.Get("username"), "error.bad_password", nil, http.StatusUnauthorized)
		return
	}
	a.note(r, "sign-in", "user:"+u.ID, "")
	a.signedIn(w, r, ar, f, u)
}

// showAgain renders the page a language switch was posted from, in the
// chosen language, without acting on it: the consent page (its session
// kept, not taken), the patient picker, else the sign-in page. Those
// switches are forms, not links: the sessions must not go into a URL.
func (a *API) showAgain(w http.ResponseWriter, r *http.Request, f url.Values) {
	if id := f.Get("consent"); id != "" {
		ar, u, err := a.auth.ConsentRequest(r.Context(), id)
		if err != nil {
			a.showError(w, r, http.StatusBadRequest, "error.consent_session", err)
			return
		}
		a.showConsent(w, r, ar, u, id)
		return
	}
	ar, ok := a.checkAuthorize(w, r, f)
	if !ok {
		return
	}
	if id := f.Get("picker"); id != "" && a.patients != nil {
		u, err := a.auth.Picker(r.Context(), id, ar)
		if err != nil {
			a.showError(w, r, http.StatusBadRequest, "error.picker_session", err)
			return
		}
		a.showPicker(w, r, ar, f, pickerView{Session: id, User: u.Name}, http.StatusOK)
		return
	}
	a.showLogin(w, r, ar, f, f.Get("realm"), f.Get("username"), "", nil, http.StatusOK)
}

// remoteIP is the caller's address without its port: the key of the
// per-address sign-in throttle. Behind a proxy every caller shares the
// proxy's address (X-Forwarded-For is not trusted: anyone can set it).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
