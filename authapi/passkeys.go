package authapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"dsn"
	"dsn/access"
)

// Passkeys (WebAuthn Level 2 through go-webauthn): a signed-in user
// registers a passkey, then signs in with it instead of a password to
// continue an app's authorisation request. JSON endpoints: a browser form
// cannot send application/json across sites without a CORS preflight, which
// DSN does not grant, and the Origin must be ours — the CSRF defence here.
//
//	POST /auth/passkeys/register/begin   (Authorization: Bearer) → {"session", "options"}
//	POST /auth/passkeys/register/finish?session=…  (the PublicKeyCredential)
//	POST /auth/passkeys/login/begin      {"realm","username","authorize":"<the app's query>"} → {"session","options"}
//	POST /auth/passkeys/login/finish?session=…  (the assertion) → {"redirect": app URL with the code}

// PublicURL is the server's public origin (https://dsn.example.ca): the
// relying party of passkeys. It must be configured, not read from the
// request's Host, or a relaying phishing site could pass as DSN.
type PublicURL func() string

// webAuthnUser adapts access.User to the library.
type webAuthnUser struct{ u access.User }

func (w webAuthnUser) WebAuthnID() []byte          { return []byte(w.u.ID) }
func (w webAuthnUser) WebAuthnName() string        { return w.u.Username }
func (w webAuthnUser) WebAuthnDisplayName() string { return firstNonEmpty(w.u.Name, w.u.Username) }
func (w webAuthnUser) WebAuthnCredentials() []webauthn.Credential {
	var out []webauthn.Credential
	for _, raw := range w.u.Passkeys {
		var c webauthn.Credential
		if json.Unmarshal(raw, &c) == nil {
			out = append(out, c)
		}
	}
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (a *API) relyingParty() (*webauthn.WebAuthn, error) {
	pub := a.publicURL()
	u, err := url.Parse(pub)
	if err != nil || u.Host == "" {
		return nil, dsn.Errorf("authapi.passkeys", dsn.KindInternal, "adresse publique invalide: %q", pub)
	}
	return webauthn.New(&webauthn.Config{RPID: u.Hostname(), RPDisplayName: "Dossier santé numérique", RPOrigins: []string{pub}})
}

// jsonOnly is the CSRF defence of the JSON endpoints.
func jsonOnly(r *http.Request, public string) bool {
	o := r.Header.Get("Origin")
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && (o == "" || o == public)
}

type ceremony struct {
	Session   webauthn.SessionData `json:"session"`
	User      string               `json:"user"`
	Authorize string               `json:"authorize,omitempty"`
}

func (a *API) passkeyError(w http.ResponseWriter, r *http.Request, status int, id string, err error) {
	if err != nil {
		a.log.Warn("passkey ceremony refused", "err", err)
	}
	a.note(r, "passkey", "anonymous", "refused")
	l := jsonLang(w, r)
	writeJSON(w, status, map[string]string{"error": errorText(l, id, l.message(err))})
}

func (a *API) registerBegin(w http.ResponseWriter, r *http.Request) {
	if !jsonOnly(r, a.publicURL()) {
		a.passkeyError(w, r, http.StatusForbidden, "json.same_origin", nil)
		return
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	p, err := a.auth.Authenticate(r.Context(), tok)
	if err != nil || !strings.EqualFold(scheme, "Bearer") || p.Realm == access.RealmSystem {
		a.passkeyError(w, r, http.StatusUnauthorized, "json.sign_in_first", nil)
		return
	}
	u, err := a.auth.User(r.Context(), p.Subject)
	rp, err2 := a.relyingParty()
	if err != nil || err2 != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", firstErr(err, err2))
		return
	}
	opts, sess, err := rp.BeginRegistration(webAuthnUser{u})
	if err != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", err)
		return
	}
	a.startCeremony(w, r, ceremony{Session: *sess, User: u.ID}, opts)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (a *API) startCeremony(w http.ResponseWriter, r *http.Request, c ceremony, opts any) {
	id := random()
	if err := a.auth.SaveCeremony(r.Context(), id, c); err != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": id, "options": opts})
}

func (a *API) registerFinish(w http.ResponseWriter, r *http.Request) {
	c, u, rp, ok := a.finishCeremony(w, r)
	if !ok {
		return
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(http.MaxBytesReader(w, r.Body, maxForm))
	if err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.registration_unreadable", err)
		return
	}
	cred, err := rp.CreateCredential(webAuthnUser{u}, c.Session, parsed)
	if err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.registration_refused", err)
		return
	}
	raw, _ := json.Marshal(cred)
	u.Passkeys = append(u.Passkeys, raw)
	if err := a.auth.SaveUser(r.Context(), u); err != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", err)
		return
	}
	a.note(r, "passkey-registered", "user:"+u.ID, "")
	writeJSON(w, http.StatusCreated, map[string]any{"registered": true, "passkeys": len(u.Passkeys)})
}

// finishCeremony takes the ceremony named by ?session= and its user.
func (a *API) finishCeremony(w http.ResponseWriter, r *http.Request) (ceremony, access.User, *webauthn.WebAuthn, bool) {
	var c ceremony
	if !jsonOnly(r, a.publicURL()) {
		a.passkeyError(w, r, http.StatusForbidden, "json.same_origin", nil)
		return c, access.User{}, nil, false
	}
	if err := a.auth.TakeCeremony(r.Context(), r.URL.Query().Get("session"), &c); err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.detail", err)
		return c, access.User{}, nil, false
	}
	u, err := a.auth.User(r.Context(), c.User)
	rp, err2 := a.relyingParty()
	if err != nil || err2 != nil || u.Disabled {
		a.passkeyError(w, r, http.StatusBadRequest, "json.account", firstErr(err, err2))
		return c, access.User{}, nil, false
	}
	return c, u, rp, true
}

func (a *API) loginBegin(w http.ResponseWriter, r *http.Request) {
	if !jsonOnly(r, a.publicURL()) {
		a.passkeyError(w, r, http.StatusForbidden, "json.same_origin", nil)
		return
	}
	var in struct{ Realm, Username, Authorize string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxForm)).Decode(&in); err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.body", nil)
		return
	}
	q, err := url.ParseQuery(in.Authorize)
	if err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.request_unreadable", nil)
		return
	}
	if _, err := a.auth.CheckAuthorize(r.Context(), q.Get("client_id"), q.Get("redirect_uri"), q.Get("response_type"),
		q.Get("scope"), q.Get("code_challenge"), q.Get("code_challenge_method")); err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.request_invalid_detail", err)
		return
	}
	realm := access.RealmStaff
	if in.Realm == "citizen" {
		realm = access.RealmCitizen
	}
	u, err := a.auth.UserByName(r.Context(), realm, in.Username)
	rp, err2 := a.relyingParty()
	if err != nil || err2 != nil || len(u.Passkeys) == 0 {
		a.passkeyError(w, r, http.StatusBadRequest, "json.no_passkey", nil)
		return
	}
	opts, sess, err := rp.BeginLogin(webAuthnUser{u})
	if err != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", err)
		return
	}
	a.startCeremony(w, r, ceremony{Session: *sess, User: u.ID, Authorize: in.Authorize}, opts)
}

func (a *API) loginFinish(w http.ResponseWriter, r *http.Request) {
	c, u, rp, ok := a.finishCeremony(w, r)
	if !ok {
		return
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(http.MaxBytesReader(w, r.Body, maxForm))
	if err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.assertion_unreadable", err)
		return
	}
	cred, err := rp.ValidateLogin(webAuthnUser{u}, c.Session, parsed)
	if err != nil {
		a.note(r, "sign-in", "user:"+u.ID, "unauthorized")
		a.passkeyError(w, r, http.StatusUnauthorized, "json.passkey_refused", err)
		return
	}
	// keep the new signature counter (a cloned authenticator shows up as a counter going back)
	for i, raw := range u.Passkeys {
		var old webauthn.Credential
		if json.Unmarshal(raw, &old) == nil && string(old.ID) == string(cred.ID) {
			u.Passkeys[i], _ = json.Marshal(cred)
		}
	}
	if err := a.auth.SaveUser(r.Context(), u); err != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", err)
		return
	}
	q, _ := url.ParseQuery(c.Authorize)
	ar, err := a.auth.CheckAuthorize(r.Context(), q.Get("client_id"), q.Get("redirect_uri"), q.Get("response_type"),
		q.Get("scope"), q.Get("code_challenge"), q.Get("code_challenge_method"))
	if err != nil {
		a.passkeyError(w, r, http.StatusBadRequest, "json.request_invalid", nil)
		return
	}
	ar.State, ar.Nonce = q.Get("state"), q.Get("nonce")
	ar, picker, err := a.withLaunch(r, ar, q, u)
	if err != nil {
		a.passkeyError(w, r, http.StatusForbidden, "json.detail", err)
		return
	}
	if picker {
		id, err := a.auth.StartPicker(r.Context(), ar, u)
		a.passkeyToPage(w, r, pickerCookie, access.PickerTTL, id, err, c.Authorize, u)
		return
	}
	if a.auth.ConsentNeeded(r.Context(), ar, u) {
		id, err := a.auth.StartConsent(r.Context(), ar, u)
		a.passkeyToPage(w, r, consentCookie, access.ConsentSessionTTL, id, err, c.Authorize, u)
		return
	}
	code, err := a.auth.IssueCode(r.Context(), ar, u)
	if err != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", err)
		return
	}
	a.note(r, "sign-in", "user:"+u.ID, "")
	v := url.Values{"code": {code}}
	if ar.State != "" {
		v.Set("state", ar.State)
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": withQuery(ar.RedirectURI, v)})
}

// passkeyToPage sends a passkey sign-in on to the next page of the flow (the
// patient picker or the consent page): its session id travels in a
// SameSite=Strict cookie rather than the URL, and the script reloads
// /authorize with the original request, which resumes from the cookie.
func (a *API) passkeyToPage(w http.ResponseWriter, r *http.Request, cookie string, ttl time.Duration, id string, err error, authorize string, u access.User) {
	if err != nil {
		a.passkeyError(w, r, http.StatusInternalServerError, "json.internal", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: id, Path: a.prefix + "/authorize", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(ttl.Seconds())})
	a.note(r, "sign-in", "user:"+u.ID, "")
	writeJSON(w, http.StatusOK, map[string]string{"redirect": a.prefix + "/authorize?" + authorize})
}
