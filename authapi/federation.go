package authapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Federation signs staff in at an external OpenID Connect provider (an
// establishment's identity provider): the sign-in page offers it, the
// provider's ID token names the person, and the DSN account linked to that
// identity (or, the first time, whose username is the provider's
// preferred_username) continues the app's authorisation request. DSN's own
// tokens, roles and policy apply as for a password sign-in.
type Federation struct {
	Name         string // shown on the sign-in page ("Connexion CIUSSS")
	Issuer       string // the provider's issuer URL (discovery at Issuer/.well-known/openid-configuration)
	ClientID     string
	ClientSecret string
	HTTPClient   *http.Client // default: 10 s timeout

	once sync.Once
	meta providerMeta
	keys jose.JSONWebKeySet
	err  error
}

type providerMeta struct {
	Issuer   string `json:"issuer"`
	AuthURL  string `json:"authorization_endpoint"`
	TokenURL string `json:"token_endpoint"`
	JWKSURL  string `json:"jwks_uri"`
}

// discover reads the provider's metadata and keys once (a failure is retried
// at the next sign-in).
func (f *Federation) discover(ctx context.Context) error {
	f.once.Do(func() {
		if f.HTTPClient == nil {
			f.HTTPClient = &http.Client{Timeout: 10 * time.Second}
		}
		f.err = f.getJSON(ctx, strings.TrimSuffix(f.Issuer, "/")+"/.well-known/openid-configuration", &f.meta)
		if f.err == nil && f.meta.Issuer != f.Issuer {
			f.err = fmt.Errorf("issuer %q announced by %q", f.meta.Issuer, f.Issuer)
		}
		if f.err == nil {
			f.err = f.getJSON(ctx, f.meta.JWKSURL, &f.keys)
		}
	})
	if f.err != nil {
		err := f.err
		f.once = sync.Once{}
		return err
	}
	return nil
}

func (f *Federation) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	res, err := f.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("%s: %s", u, res.Status)
	}
	return json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(v)
}

// fedFlow is what travels through the provider under the state.
type fedFlow struct {
	Authorize url.Values `json:"authorize"` // the app's request to us
	Verifier  string     `json:"verifier"`
	Nonce     string     `json:"nonce"`
}

func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// federatedStart: GET /auth/federated?<the app's authorize parameters>.
func (a *API) federatedStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, ok := a.checkAuthorize(w, r, q); !ok {
		return
	}
	f := a.fed
	if err := f.discover(r.Context()); err != nil {
		a.log.Error("federation discovery", "issuer", f.Issuer, "err", err)
		a.showError(w, r, http.StatusBadGateway, "error.fed_unreachable", nil)
		return
	}
	flow := fedFlow{Authorize: url.Values{}, Verifier: random(), Nonce: random()}
	for _, k := range authorizeParams {
		if v := q.Get(k); v != "" {
			flow.Authorize.Set(k, v)
		}
	}
	state := random()
	if err := a.auth.SaveFederationState(r.Context(), state, flow); err != nil {
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
		return
	}
	sum := sha256.Sum256([]byte(flow.Verifier))
	v := url.Values{"response_type": {"code"}, "client_id": {f.ClientID}, "redirect_uri": {origin(r) + a.prefix + "/federated/callback"},
		"scope": {"openid profile"}, "state": {state}, "nonce": {flow.Nonce},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	http.Redirect(w, r, withQuery(f.meta.AuthURL, v), http.StatusFound)
}

// federatedCallback: GET /auth/federated/callback?code&state from the provider.
func (a *API) federatedCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var flow fedFlow
	if err := a.auth.TakeFederationState(r.Context(), q.Get("state"), &flow); err != nil {
		a.showError(w, r, http.StatusBadRequest, "error.fed_refused", err)
		return
	}
	ar, ok := a.checkAuthorize(w, r, flow.Authorize)
	if !ok {
		return
	}
	if e := q.Get("error"); e != "" {
		redirectError(w, r, ar.RedirectURI, ar.State, "access_denied", "redirect.idp_refused", e)
		return
	}
	iss, sub, username, err := a.fed.exchange(r.Context(), q.Get("code"), origin(r)+a.prefix+"/federated/callback", flow)
	if err != nil {
		a.log.Warn("federated sign-in refused", "err", err)
		a.note(r, "sign-in", "federated", "unauthorized")
		redirectError(w, r, ar.RedirectURI, ar.State, "access_denied", "redirect.unverified", "")
		return
	}
	u, err := a.auth.FederatedUser(r.Context(), iss, sub, username)
	if err != nil {
		a.note(r, "sign-in", "federated:"+username, "unauthorized")
		redirectError(w, r, ar.RedirectURI, ar.State, "access_denied", "json.detail", langOf(r).message(err))
		return
	}
	a.note(r, "sign-in", "user:"+u.ID, "")
	a.signedIn(w, r, ar, flow.Authorize, u) // launch context or patient picker, then the code
}

// exchange redeems the provider's code and verifies its ID token: ES256 or
// RS256 signature by a key of the provider's set, issuer, audience (our
// client id), expiry and nonce.
func (f *Federation) exchange(ctx context.Context, code, redirect string, flow fedFlow) (iss, sub, username string, err error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {flow.Verifier}}
	req, err := http.NewRequestWithContext(ctx, "POST", f.meta.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(f.ClientID), url.QueryEscape(f.ClientSecret))
	res, err := f.HTTPClient.Do(req)
	if err != nil {
		return "", "", "", err
	}
	defer res.Body.Close()
	var tr struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(&tr); err != nil || res.StatusCode != 200 || tr.IDToken == "" {
		return "", "", "", fmt.Errorf("token endpoint: %s", res.Status)
	}
	tok, err := jwt.ParseSigned(tr.IDToken, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil || len(tok.Headers) != 1 {
		return "", "", "", fmt.Errorf("id_token: %v", err)
	}
	keys := f.keys.Key(tok.Headers[0].KeyID)
	if len(keys) == 0 {
		return "", "", "", fmt.Errorf("id_token signed by unknown key %q", tok.Headers[0].KeyID)
	}
	var std jwt.Claims
	var extra struct {
		Nonce             string `json:"nonce"`
		PreferredUsername string `json:"preferred_username"`
	}
	if err := tok.Claims(keys[0].Key, &std, &extra); err != nil {
		return "", "", "", fmt.Errorf("id_token signature: %v", err)
	}
	if std.Expiry == nil {
		return "", "", "", fmt.Errorf("id_token without exp")
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: f.Issuer, AnyAudience: jwt.Audience{f.ClientID}}, 30*time.Second); err != nil {
		return "", "", "", fmt.Errorf("id_token: %v", err)
	}
	if extra.Nonce != flow.Nonce || std.Subject == "" {
		return "", "", "", fmt.Errorf("id_token: nonce or subject")
	}
	return std.Issuer, std.Subject, extra.PreferredUsername, nil
}
