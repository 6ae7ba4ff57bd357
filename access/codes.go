package access

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"dsn"
)

// The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, SMART App
// Launch 2 "standalone launch") and refresh tokens (RFC 6749 §6). Codes and
// refresh tokens are random; only their SHA-256 is stored, and each is taken
// (deleted) atomically when used, so it works once.

// CodeTTL is the life of an authorization code; RefreshTTL of a refresh
// token (offline_access; online_access: OnlineTTL).
const (
	CodeTTL    = time.Minute
	RefreshTTL = 30 * 24 * time.Hour
	OnlineTTL  = 12 * time.Hour
)

// grantState is what a code or a refresh token stands for.
type grantState struct {
	Client      string    `json:"client"`
	RedirectURI string    `json:"redirectUri,omitempty"`
	User        string    `json:"user"`
	Scope       string    `json:"scope"`
	Challenge   string    `json:"challenge,omitempty"`
	Nonce       string    `json:"nonce,omitempty"`
	Expires     time.Time `json:"expires"`
	// Family names the grant a refresh token was rotated from: every refresh
	// and access token issued from one authorization code shares it, so
	// revoking one refresh token revokes them all (revoke.go).
	Family string `json:"family,omitempty"`
	// Patient and Encounter are the SMART launch context chosen at the
	// authorisation (EHR launch or the patient picker, launch.go).
	Patient   string `json:"patient,omitempty"`
	Encounter string `json:"encounter,omitempty"`
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// AuthorizeRequest is a checked /authorize request.
type AuthorizeRequest struct {
	Client      Client
	RedirectURI string
	Scope       Scopes
	State       string
	Challenge   string // PKCE S256 code_challenge
	Nonce       string
	// Patient and Encounter: the launch context (EHR launch or the patient
	// picker, launch.go), "" for none.
	Patient, Encounter string
}

// CheckAuthorize validates the client and redirect URI (errors there must
// not redirect: RFC 6749 §4.1.2.1) and the rest. Errors: KindNotFound (unknown
// client or redirect URI), KindInvalid (the rest: redirect with the error).
func (s *Service) CheckAuthorize(ctx context.Context, clientID, redirectURI, responseType, scope, challenge, method string) (AuthorizeRequest, error) {
	const op = "access.CheckAuthorize"
	c, err := s.ActiveClient(ctx, clientID)
	if err != nil || !slices.Contains(c.RedirectURIs, redirectURI) {
		return AuthorizeRequest{}, errorf(op, dsn.KindNotFound, "authorize.client")
	}
	r := AuthorizeRequest{Client: c, RedirectURI: redirectURI}
	if responseType != "code" {
		return r, dsn.Errorf(op, dsn.KindInvalid, "unsupported_response_type")
	}
	if challenge == "" || method != "S256" || len(challenge) != 43 {
		return r, errorf(op, dsn.KindInvalid, "authorize.pkce")
	}
	if r.Scope, err = ParseScopes(scope); err != nil {
		return r, dsn.Errorf(op, dsn.KindInvalid, "invalid_scope")
	}
	r.Challenge = challenge
	return r, nil
}

// IssueCode makes the one-time code for u after they signed in.
func (s *Service) IssueCode(ctx context.Context, ar AuthorizeRequest, u User) (string, error) {
	code := randomToken(32)
	st := grantState{Client: ar.Client.ID, RedirectURI: ar.RedirectURI, User: u.ID,
		Scope: ar.Scope.String(), Challenge: ar.Challenge, Nonce: ar.Nonce, Expires: s.clock.Now().Add(CodeTTL),
		Patient: ar.Patient, Encounter: ar.Encounter}
	return code, s.put(ctx, kindCode, digest(code), "", st)
}

// Tokens is the answer of the token endpoint for a user.
type Tokens struct {
	Access    string
	Expires   time.Time
	Refresh   string // "" without offline_access or online_access
	IDToken   string // "" without openid
	Principal *Principal
}

// errGrant is invalid_grant saying the sentence id (messages.go).
func errGrant(id string) error {
	return errorf("access.grant", dsn.KindNotFound, id) // invalid_grant
}

// RedeemCode exchanges a code (RFC 6749 §4.1.3, RFC 7636 §4.6). client is the
// authenticated client (or the client_id of a public client).
func (s *Service) RedeemCode(ctx context.Context, client Client, code, redirectURI, verifier string) (Tokens, error) {
	rec, err := s.records.TakeRecord(ctx, kindCode, digest(code))
	if err != nil {
		return Tokens{}, errGrant("grant.code")
	}
	var st grantState
	if json.Unmarshal(rec.Body, &st) != nil || st.Client != client.ID || st.RedirectURI != redirectURI ||
		!s.clock.Now().Before(st.Expires) {
		return Tokens{}, errGrant("grant.code-client")
	}
	h := sha256.Sum256([]byte(verifier))
	if len(verifier) < 43 || len(verifier) > 128 ||
		subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(h[:])), []byte(st.Challenge)) != 1 {
		return Tokens{}, errGrant("grant.pkce")
	}
	st.Family = newID()
	return s.userTokens(ctx, client, st)
}

// Refresh exchanges a refresh token for new tokens; the old one is spent
// (rotation: a stolen refresh token works at most once). A spent token is
// kept (kindSpent) to find its family: presented again, it is a replay
// (one of two holders is not the client), and the whole family is revoked
// (RFC 9700 §4.14.2).
func (s *Service) Refresh(ctx context.Context, client Client, token string) (Tokens, error) {
	rec, err := s.records.TakeRecord(ctx, kindRefresh, digest(token))
	if err != nil {
		var st grantState
		if sp, err := s.records.GetRecord(ctx, kindSpent, digest(token)); err == nil &&
			json.Unmarshal(sp.Body, &st) == nil && st.Family != "" && st.Client == client.ID {
			if err := s.revokeFamily(ctx, st.Family); err != nil {
				return Tokens{}, err
			}
			return Tokens{}, errGrant("grant.refresh-reused")
		}
		return Tokens{}, errGrant("grant.refresh")
	}
	var st grantState
	if json.Unmarshal(rec.Body, &st) != nil || st.Client != client.ID || !s.clock.Now().Before(st.Expires) {
		return Tokens{}, errGrant("grant.refresh-client")
	}
	if st.Family == "" { // issued before families
		st.Family = newID()
	}
	if err := s.put(ctx, kindSpent, rec.ID, st.Family, st); err != nil {
		return Tokens{}, err
	}
	return s.userTokens(ctx, client, st)
}

// userTokens issues the tokens of a grant, re-reading the user (a disabled
// account or a changed role takes effect at the next refresh).
func (s *Service) userTokens(ctx context.Context, client Client, st grantState) (Tokens, error) {
	u, err := s.User(ctx, st.User)
	if err != nil || u.Disabled {
		return Tokens{}, errGrant("revoked.account")
	}
	if _, err := s.ActiveClient(ctx, client.ID); err != nil { // a code issued before the client was disabled
		return Tokens{}, errGrant("revoked.client-gone")
	}
	if why := s.consentWithdrawn(ctx, u.ID, client.ID); why != "" { // a code issued before the withdrawal
		return Tokens{}, errGrant(why)
	}
	sc := MustScopesLoose(st.Scope).Narrow(MustScopesLoose(client.Scope))
	p := UserPrincipal(u, sc, client.ID)
	p.Family = st.Family
	if st.Patient != "" && u.Realm == RealmStaff { // the launch context (a citizen's is their own record)
		p.Patient, p.Encounter = st.Patient, st.Encounter
	}
	t := Tokens{Principal: p}
	if t.Access, t.Expires, err = s.IssueAccess(ctx, p, 0); err != nil {
		return Tokens{}, err
	}
	if p.Scopes.Has("offline_access") || p.Scopes.Has("online_access") {
		ttl := OnlineTTL
		if p.Scopes.Has("offline_access") {
			ttl = RefreshTTL
		}
		t.Refresh = randomToken(32)
		rs := grantState{Client: client.ID, User: u.ID, Scope: st.Scope, Expires: s.clock.Now().Add(ttl), Family: st.Family,
			Patient: st.Patient, Encounter: st.Encounter}
		if err := s.put(ctx, kindRefresh, digest(t.Refresh), st.Family, rs); err != nil {
			return Tokens{}, err
		}
		// a revocation racing this rotation (of the family, the user or the
		// client) may have listed the refresh tokens before this one was
		// written: each writes its mark before it lists them, so reading the
		// marks after the write catches it (revoke.go)
		if why := s.grantRevoked(ctx, st, client.ID); why != "" {
			s.records.DeleteRecord(ctx, kindRefresh, digest(t.Refresh))
			return Tokens{}, errGrant(why)
		}
	}
	if p.Scopes.Has("openid") {
		if t.IDToken, err = s.idToken(ctx, u, client, st.Nonce); err != nil {
			return Tokens{}, err
		}
	}
	return t, nil
}

// idToken is the OpenID Connect ID token, with SMART's fhirUser claim
// (app-launch/scopes-and-launch-context.html#fhiruser): a relative reference
// to the user's Practitioner or Patient.
func (s *Service) idToken(ctx context.Context, u User, c Client, nonce string) (string, error) {
	k, err := s.signer(ctx)
	if err != nil {
		return "", err
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.Private, KeyID: k.ID}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", dsn.Wrap("access.idToken", dsn.KindInternal, err)
	}
	now := s.clock.Now()
	std := jwt.Claims{Issuer: s.issuer, Subject: u.ID, Audience: jwt.Audience{c.ID}, IssuedAt: jwt.NewNumericDate(now),
		Expiry: jwt.NewNumericDate(now.Add(s.accessTTL))}
	extra := map[string]any{"name": u.Name, "preferred_username": u.Username}
	if nonce != "" {
		extra["nonce"] = nonce
	}
	switch {
	case u.Practitioner != "":
		extra["fhirUser"] = "Practitioner/" + u.Practitioner
	case u.Patient != "":
		extra["fhirUser"] = "Patient/" + u.Patient
	}
	tok, err := jwt.Signed(sig).Claims(std).Claims(extra).Serialize()
	return tok, dsn.Wrap("access.idToken", dsn.KindInternal, err)
}

// MustScopesLoose parses a stored scope string, dropping what no longer parses.
func MustScopesLoose(s string) Scopes {
	sc, err := ParseScopes(s)
	if err != nil {
		return Scopes{}
	}
	return sc
}

// SignIn checks a user's password in realm. Errors: KindUnauthorized (one
// message for unknown user and wrong password).
func (s *Service) SignIn(ctx context.Context, realm Realm, username, password string) (User, error) {
	return s.SignInFrom(ctx, realm, username, password, "")
}

// SignInFrom is SignIn from the network address addr (an IP; "" unknown),
// throttled per account and per address (throttle.go). Errors:
// KindUnauthorized; KindForbidden wrapping ErrThrottled, with a French
// message saying when to try again.
func (s *Service) SignInFrom(ctx context.Context, realm Realm, username, password, addr string) (User, error) {
	const op = "access.SignIn"
	account := string(realm) + ":" + username
	now := s.clock.Now()
	if wait := s.throttle.wait(now, account, addr); wait > 0 {
		return User{}, throttled(op, wait)
	}
	u, err := s.UserByName(ctx, realm, username)
	if err != nil || u.Disabled || u.PasswordHash == "" || !CheckPassword(u.PasswordHash, password) {
		if err != nil {
			CheckPassword(dummyHash(), password) // same time whether the user exists or not
		}
		s.throttle.failed(now, account, addr)
		return User{}, errorf(op, dsn.KindUnauthorized, "signin.bad")
	}
	s.throttle.succeeded(account)
	return u, nil
}

// dummyHash is checked against when the user does not exist (timing). It is
// computed once, on demand (New starts it in the background), not when the
// program starts: argon2id takes 19 MiB and tens of ms of CPU that every
// dsn command paid, exports and imports included.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("dsn-no-such-user-password")
	return h
})

// FederationStateTTL bounds a sign-in at an external provider.
const FederationStateTTL = 10 * time.Minute

type fedState struct {
	Expires time.Time       `json:"expires"`
	Data    json.RawMessage `json:"data"`
}

// SaveFederationState keeps what a sign-in at an external provider must
// carry back (the app's authorisation request, the PKCE verifier, the nonce),
// under the random state sent to the provider.
func (s *Service) SaveFederationState(ctx context.Context, state string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return dsn.Wrap("access.SaveFederationState", dsn.KindInternal, err)
	}
	return s.put(ctx, kindFedState, digest(state), "", fedState{Expires: s.clock.Now().Add(FederationStateTTL), Data: b})
}

// TakeFederationState returns (once) what SaveFederationState kept.
// Errors: KindNotFound (unknown, used or expired state).
func (s *Service) TakeFederationState(ctx context.Context, state string, v any) error {
	rec, err := s.records.TakeRecord(ctx, kindFedState, digest(state))
	if err != nil {
		return errGrant("grant.federated")
	}
	var fs fedState
	if json.Unmarshal(rec.Body, &fs) != nil || !s.clock.Now().Before(fs.Expires) {
		return errGrant("grant.federated-late")
	}
	return json.Unmarshal(fs.Data, v)
}
