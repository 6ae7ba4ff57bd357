// Package authapi is the OAuth 2.0 / SMART App Launch 2 authorisation server
// over HTTP: discovery (/fhir/.well-known/smart-configuration), the token
// endpoint, the key set, and (login.go) the authorisation endpoint with its
// sign-in page, French by default and English on request (language.go).
// The decisions live in package access; this package only speaks HTTP.
package authapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"dsn"
	"dsn/access"
)

// Options configures the handler.
type Options struct {
	Auth   *access.Service // required
	Logger *slog.Logger
	// FHIRBase is the path of the FHIR base ("/fhir"): discovery is served at
	// FHIRBase + "/.well-known/smart-configuration".
	FHIRBase string
	// Prefix is the path of the authorisation server's endpoints ("/auth").
	Prefix string
	// Journal, if set, records token issuance, revocations, launches,
	// sign-ins and their refusals.
	Journal func(r *http.Request, e Event)
	// Federation, if set, offers sign-in at an external OpenID provider.
	Federation *Federation
	// Patients, if set, enables the EHR launch and the patient picker
	// (launch.go): it reads patients through the policy of /fhir.
	Patients Patients
	// PublicURL, if set, enables passkeys with this origin as relying party.
	PublicURL PublicURL
}

// API serves the authorisation endpoints.
type API struct {
	auth     *access.Service
	log      *slog.Logger
	fhir     string
	prefix   string
	mux      *http.ServeMux
	journal  func(r *http.Request, e Event)
	fed      *Federation
	patients Patients

	publicURL PublicURL
}

// New builds the handler; mount it at "/" (it serves only its own paths).
func New(o Options) *API {
	a := &API{auth: o.Auth, log: o.Logger, fhir: strings.TrimSuffix(o.FHIRBase, "/"), prefix: strings.TrimSuffix(o.Prefix, "/"), journal: o.Journal, fed: o.Federation, patients: o.Patients, publicURL: o.PublicURL}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.fhir == "" {
		a.fhir = "/fhir"
	}
	if a.prefix == "" {
		a.prefix = "/auth"
	}
	if a.journal == nil {
		a.journal = func(*http.Request, Event) {}
	}
	m := http.NewServeMux()
	m.HandleFunc("GET "+a.fhir+"/.well-known/smart-configuration", a.smartConfiguration)
	m.HandleFunc("GET /.well-known/openid-configuration", a.smartConfiguration)
	m.HandleFunc("GET "+a.prefix+"/jwks", a.jwks)
	m.HandleFunc("POST "+a.prefix+"/token", a.token)
	m.HandleFunc("POST "+a.prefix+"/revoke", a.revoke)
	m.HandleFunc("POST "+a.prefix+"/launch", a.launch)
	m.HandleFunc("GET "+a.prefix+"/authorize", a.authorizeForm)
	m.HandleFunc("POST "+a.prefix+"/authorize", a.authorizeSubmit)
	m.HandleFunc("GET "+a.prefix+"/consents", a.consents)
	m.HandleFunc("POST "+a.prefix+"/consents/withdraw", a.withdrawConsent)
	if a.publicURL != nil {
		m.HandleFunc("POST "+a.prefix+"/passkeys/register/begin", a.registerBegin)
		m.HandleFunc("POST "+a.prefix+"/passkeys/register/finish", a.registerFinish)
		m.HandleFunc("POST "+a.prefix+"/passkeys/login/begin", a.loginBegin)
		m.HandleFunc("POST "+a.prefix+"/passkeys/login/finish", a.loginFinish)
	}
	if a.fed != nil {
		m.HandleFunc("GET "+a.prefix+"/federated", a.federatedStart)
		m.HandleFunc("GET "+a.prefix+"/federated/callback", a.federatedCallback)
	}
	a.mux = m
	return a
}

// Patterns are the paths the handler serves, for the caller's mux.
func (a *API) Patterns() []string {
	return []string{"GET " + a.fhir + "/.well-known/smart-configuration", "GET /.well-known/openid-configuration", a.prefix + "/"}
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Event is one journaled event of the authorisation server.
type Event struct {
	Name    string // token, revoke, sign-in, launch, passkey...
	Agent   string // user:ID, client:ID, anonymous
	Outcome string // "" success, else why it was refused
	Patient string // the record concerned, if any (a launch's patient)
	Client  string // the OAuth client, if known
	Detail  string // what (a revoked token's type and id); never a secret
	// Person, Role and Establishment of the user, when known (the
	// citizen's view of who consulted their record names them)
	Person, Role, Establishment string
}

// userEvent is an event of user u.
func userEvent(name string, u access.User, client, patient string) Event {
	person := u.Name
	if person == "" {
		person = u.Username
	}
	return Event{Name: name, Agent: "user:" + u.ID, Client: client, Patient: patient, Person: person,
		Role: string(u.Role), Establishment: u.Establishment}
}

// note journals a simple event.
func (a *API) note(r *http.Request, event, agent, outcome string) {
	a.journal(r, Event{Name: event, Agent: agent, Outcome: outcome})
}

// origin is the absolute URL of the server, from the request.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// smartConfiguration is the SMART App Launch 2 discovery document
// (app-launch/conformance.html#metadata).
func (a *API) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	o := origin(r)
	doc := map[string]any{
		"issuer":                 a.auth.Issuer(),
		"jwks_uri":               o + a.prefix + "/jwks",
		"authorization_endpoint": o + a.prefix + "/authorize",
		"token_endpoint":         o + a.prefix + "/token",
		"revocation_endpoint":    o + a.prefix + "/revoke",
		"revocation_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"grant_types_supported":                      []string{"authorization_code", "client_credentials", "refresh_token"},
		"token_endpoint_auth_methods_supported":      []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported": []string{"openid", "fhirUser", "launch", "launch/patient", "offline_access", "online_access",
			"patient/*.rs", "user/*.cruds", "system/*.cruds"},
		"response_types_supported":         []string{"code"},
		"code_challenge_methods_supported": []string{"S256"},
		"capabilities": []string{"launch-ehr", "launch-standalone", "client-public", "client-confidential-symmetric",
			"context-standalone-patient", "context-ehr-patient", "context-ehr-encounter", "permission-v1", "permission-v2", "permission-patient",
			"permission-user", "permission-offline", "sso-openid-connect", "authorize-post"},
	}
	writeJSON(w, http.StatusOK, doc)
}

func (a *API) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := a.auth.JWKS(r.Context())
	if err != nil {
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.keys", err)
		return
	}
	writeJSON(w, http.StatusOK, set)
}

// maxForm bounds the token endpoint's form body.
const maxForm = 64 << 10

// clientForm reads the form of the token and revocation endpoints (no-store,
// size-bounded) and the client's credentials: HTTP Basic, else the form fields
// (RFC 6749 §2.3.1). ok is false once it has answered a bad form.
func (a *API) clientForm(w http.ResponseWriter, r *http.Request) (id, secret string, ok bool) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		a.oauthError(w, r, http.StatusBadRequest, "invalid_request", "json.form", nil)
		return "", "", false
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id, secret, true
}

// token is the token endpoint (RFC 6749 §3.2): client_credentials here;
// authorization_code and refresh_token in login.go.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := a.clientForm(w, r)
	if !ok {
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		tok, p, exp, err := a.auth.ClientCredentials(r.Context(), id, secret, r.PostForm.Get("scope"))
		if err != nil {
			a.grantError(w, r, "client:"+id, err)
			return
		}
		a.note(r, "token", p.Agent(), "")
		writeJSON(w, http.StatusOK, tokenResponse(tok, exp, p, a.auth))
	default:
		if _, ok := a.otherGrant(w, r, id, secret); ok {
			return
		}
		a.oauthError(w, r, http.StatusBadRequest, "unsupported_grant_type", "json.grant_type", nil)
	}
}

// tokenResponse is RFC 6749 §5.1 with the SMART launch context.
func tokenResponse(tok string, exp time.Time, p *access.Principal, _ *access.Service) map[string]any {
	resp := map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(time.Until(exp).Seconds()), "scope": p.Scopes.String()}
	if p.Patient != "" && p.Realm != access.RealmSystem {
		resp["patient"] = p.Patient
	}
	if p.Encounter != "" && p.Realm != access.RealmSystem {
		resp["encounter"] = p.Encounter
	}
	return resp
}

// grantError maps an access error to RFC 6749 §5.2.
func (a *API) grantError(w http.ResponseWriter, r *http.Request, agent string, err error) {
	a.note(r, "token", agent, dsn.KindOf(err).String())
	switch dsn.KindOf(err) {
	case dsn.KindUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="dsn"`)
		a.oauthError(w, r, http.StatusUnauthorized, "invalid_client", "json.detail", err)
	case dsn.KindInvalid:
		a.oauthError(w, r, http.StatusBadRequest, "invalid_scope", "json.detail", err)
	case dsn.KindForbidden:
		a.oauthError(w, r, http.StatusBadRequest, "invalid_scope", "json.detail", err)
	case dsn.KindNotFound:
		a.oauthError(w, r, http.StatusBadRequest, "invalid_grant", "json.detail", err)
	default:
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
	}
}

// oauthError answers RFC 6749 §5.2: the error code and, as
// error_description, the sentence id of messages.go in the language of the
// request (language.Of: French unless asked), {detail} being err's message
// in that language. err is logged only for a server error.
func (a *API) oauthError(w http.ResponseWriter, r *http.Request, status int, code, id string, err error) {
	if err != nil && status >= 500 && !errors.Is(err, http.ErrBodyNotAllowed) {
		a.log.Error("auth request failed", "error", code, "err", err)
	}
	l := jsonLang(w, r)
	writeJSON(w, status, map[string]string{"error": code, "error_description": errorText(l, id, l.message(err))})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
