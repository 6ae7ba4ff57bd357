package authapi

import (
	"net/http"
	"net/url"
	"strings"

	"dsn"
	"dsn/access"
)

// The consent page (access/appconsent.go): after sign-in (and the patient
// picker) the user sees, in French, which app asks for what, and answers
// Autoriser or Refuser. The form posts to /authorize like the others
// (double-submit CSRF, formState) with only the consent session: the
// request it answers was checked before and is kept with the session.
// Refuser sends the app error=access_denied with its state (RFC 6749
// §4.1.2.1). Remembered consents are listed and withdrawn by their user at
// GET /auth/consents and POST /auth/consents/withdraw (bearer token of a
// trusted app, e.g. the portal; an app may withdraw its own consent).

const consentCookie = "dsn_consent" // a consent session after a passkey sign-in (JSON answer): never in a URL

var consentPage = authPage("consent", "consent.title", `<h1>{{call .T "consent.heading"}}</h1>
<p>{{.User}}{{call .T "consent.app"}} <strong>{{.Client}}</strong> {{call .T "consent.asks"}}</p>
<ul>{{range .Items}}<li>{{.}}</li>
{{end}}</ul>
{{if .Patient}}<p>{{call .T "consent.record"}} {{.Patient}}</p>{{end}}
<p>{{call .T "consent.withdraw"}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="consent" value="{{.Session}}">
<button type="submit" name="decision" value="autoriser">{{call .T "consent.allow"}}</button>
<button type="submit" name="decision" value="refuser">{{call .T "consent.deny"}}</button>
</form>
<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="consent" value="{{.Session}}">
<button type="submit" name="lang" value="{{.Other}}" lang="{{.Other}}">{{.OtherName}}</button></form>`)

// issueOrAsk ends an authorisation once the user is known (and the patient
// chosen): the code, or first the consent page.
func (a *API) issueOrAsk(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, u access.User) {
	if !a.auth.ConsentNeeded(r.Context(), ar, u) {
		a.issueCode(w, r, ar, u)
		return
	}
	id, err := a.auth.StartConsent(r.Context(), ar, u)
	if err != nil {
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
		return
	}
	a.showConsent(w, r, ar, u, id)
}

func (a *API) showConsent(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, u access.User, id string) {
	csrf, _ := a.formState(w, r, url.Values{})
	l := langPage(w, r, ar.RedirectURI)
	w.WriteHeader(http.StatusOK)
	patient := ""
	if ar.Patient != "" && u.Realm == access.RealmStaff {
		patient = "Patient/" + ar.Patient
	}
	consentPage.Execute(w, pageData(l, map[string]any{"User": firstNonEmpty(u.Name, u.Username), "Client": ar.Client.Name,
		"Items": scopeWords(access.GrantedScopes(ar, u), u.Realm == access.RealmCitizen, scopeLangs[l]), "Patient": patient,
		"Action": a.prefix + "/authorize", "CSRF": csrf, "Session": id}))
}

// resumeConsent shows the consent page of a session opened by a passkey
// sign-in, if the browser holds one.
func (a *API) resumeConsent(w http.ResponseWriter, r *http.Request) bool {
	c, err := r.Cookie(consentCookie)
	if err != nil {
		return false
	}
	ar, u, err := a.auth.ConsentRequest(r.Context(), c.Value)
	if err != nil {
		return false
	}
	a.showConsent(w, r, ar, u, c.Value)
	return true
}

// consentSubmit is the answer of the consent page (its CSRF was checked).
func (a *API) consentSubmit(w http.ResponseWriter, r *http.Request, f url.Values) {
	ar, u, err := a.auth.TakeConsent(r.Context(), f.Get("consent"))
	if err != nil {
		a.showError(w, r, http.StatusBadRequest, "error.consent_session", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: consentCookie, Path: a.prefix + "/authorize", MaxAge: -1})
	e := userEvent("consent", u, ar.Client.ID, ar.Patient)
	e.Detail = access.GrantedScopes(ar, u).String()
	switch f.Get("decision") {
	case "autoriser":
		if err := a.auth.RememberConsent(r.Context(), ar, u); err != nil {
			a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
			return
		}
		a.journal(r, e)
		a.issueCode(w, r, ar, u)
	default: // refuser (or anything else: no consent without a yes)
		e.Outcome = "refused"
		a.journal(r, e)
		redirectError(w, r, ar.RedirectURI, ar.State, "access_denied", "redirect.denied", "")
	}
}

// consents lists the remembered consents of the bearer token's user.
func (a *API) consents(w http.ResponseWriter, r *http.Request) {
	p, ok := a.bearerUser(w, r)
	if !ok {
		return
	}
	if !a.firstParty(r, p) {
		a.oauthError(w, r, http.StatusForbidden, "access_denied", "json.trusted_only", nil)
		return
	}
	cs, err := a.auth.Consents(r.Context(), p.Subject)
	if err != nil {
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
		return
	}
	out := make([]map[string]any, 0, len(cs))
	for _, c := range cs {
		out = append(out, map[string]any{"client_id": c.Client, "client_name": c.ClientName, "scopes": c.Scopes,
			"granted": c.Granted, "updated": c.Updated})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"consents": out})
}

// withdrawConsent forgets the bearer token's user's consent to client_id
// (form field) and revokes that app's tokens for them.
func (a *API) withdrawConsent(w http.ResponseWriter, r *http.Request) {
	p, ok := a.bearerUser(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") == "" {
		a.oauthError(w, r, http.StatusBadRequest, "invalid_request", "json.client_id_missing", nil)
		return
	}
	client := r.PostForm.Get("client_id")
	if client != p.ClientID && !a.firstParty(r, p) {
		a.oauthError(w, r, http.StatusForbidden, "access_denied", "json.own_consent", nil)
		return
	}
	err := a.auth.WithdrawConsent(r.Context(), p.Subject, client)
	switch {
	case dsn.KindOf(err) == dsn.KindNotFound:
		a.oauthError(w, r, http.StatusNotFound, "invalid_request", "json.detail", err)
	case err != nil:
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
	default:
		a.journal(r, Event{Name: "consent-withdraw", Agent: p.Agent(), Client: client})
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]any{"withdrawn": client})
	}
}

// firstParty tells whether p's token came from a trusted client (the
// citizen portal, the EHR) or from the operator (dsn token: no client): only
// those manage every consent of the user. A third-party app's token may
// withdraw its own consent (sign-out), nothing else: it must not learn
// which other apps the user uses, nor cut them off.
func (a *API) firstParty(r *http.Request, p *access.Principal) bool {
	if p.ClientID == "" {
		return true
	}
	c, err := a.auth.ActiveClient(r.Context(), p.ClientID)
	return err == nil && c.Trusted
}

// bearerUser authenticates a user's bearer token; back-end systems have no
// consents.
func (a *API) bearerUser(w http.ResponseWriter, r *http.Request) (*access.Principal, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p, err := a.auth.Authenticate(r.Context(), strings.TrimSpace(tok))
	if !ok || err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dsn"`)
		a.oauthError(w, r, http.StatusUnauthorized, "invalid_token", "json.bearer", nil)
		return nil, false
	}
	if p.Realm == access.RealmSystem {
		a.oauthError(w, r, http.StatusForbidden, "access_denied", "json.users_only", nil)
		return nil, false
	}
	return p, true
}
