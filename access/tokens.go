package access

import (
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"dsn"
)

const crypto256 = crypto.SHA256

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// claims are DSN's private claims of an access token: what the policy needs
// to decide without a database read on each request.
type claims struct {
	Scope         string   `json:"scope"`
	ClientID      string   `json:"client_id,omitempty"`
	Realm         Realm    `json:"dsn_realm"`
	Role          Role     `json:"dsn_role"`
	Name          string   `json:"dsn_name,omitempty"`
	Establishment string   `json:"dsn_est,omitempty"`
	Missions      []string `json:"dsn_missions,omitempty"`
	Locations     []string `json:"dsn_locations,omitempty"`
	Practitioner  string   `json:"dsn_practitioner,omitempty"`
	Patient       string   `json:"patient,omitempty"` // SMART launch context, also in the token response
	Encounter     string   `json:"encounter,omitempty"`
	Purpose       string   `json:"dsn_pou,omitempty"` // a back-end client's purpose of use
	Family        string   `json:"dsn_fam,omitempty"` // the refresh token family (revoke.go)
}

// maxTokenLen refuses absurd bearer tokens before any parsing.
const maxTokenLen = 8192

// IssueAccess signs an access token for p, valid for the service's AccessTTL
// (ttl > 0 overrides it). It returns the token and its expiry.
func (s *Service) IssueAccess(ctx context.Context, p *Principal, ttl time.Duration) (string, time.Time, error) {
	const op = "access.IssueAccess"
	k, err := s.signer(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	if ttl <= 0 {
		ttl = s.accessTTL
	}
	now := s.clock.Now()
	exp := now.Add(ttl).Truncate(time.Second)
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.Private, KeyID: k.ID}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return "", time.Time{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	std := jwt.Claims{Issuer: s.issuer, Subject: p.Subject, Audience: jwt.Audience{s.audience},
		Expiry: jwt.NewNumericDate(exp), IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Second)),
		ID: newID()}
	c := claims{Scope: p.Scopes.String(), ClientID: p.ClientID, Realm: p.Realm, Role: p.Role, Name: p.Name,
		Establishment: p.Establishment, Missions: p.Missions, Locations: p.Locations, Practitioner: p.Practitioner, Patient: p.Patient,
		Encounter: p.Encounter, Purpose: p.Purpose, Family: p.Family}
	tok, err := jwt.Signed(sig).Claims(std).Claims(c).Serialize()
	if err != nil {
		return "", time.Time{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return tok, exp, nil
}

// errToken is the one answer to every bad token: the details go to no one
// (RFC 6750 §3.1 invalid_token).
func errToken(id string, args ...any) error {
	return errorf("access.Authenticate", dsn.KindUnauthorized, id, args...)
}

// Authenticate checks an access token (signature, issuer, audience, expiry,
// scopes) and returns its principal. Errors: KindUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > maxTokenLen || strings.Count(token, ".") != 2 {
		return nil, errToken("token.format")
	}
	now := s.clock.Now()
	p, ok := s.tokens.get(token, now)
	if !ok {
		var exp time.Time
		var err error
		if p, exp, err = s.authenticate(ctx, token); err != nil {
			return nil, err
		}
		s.tokens.put(token, p, exp)
	}
	if why := s.isRevoked(ctx, p, now); why != "" {
		return nil, errorf("access.Authenticate", dsn.KindUnauthorized, why)
	}
	return p, nil
}

// authenticate verifies a token not seen yet (the ECDSA verification is the
// costly part: a verified token is cached until it expires).
func (s *Service) authenticate(ctx context.Context, token string) (*Principal, time.Time, error) {
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(t.Headers) != 1 {
		return nil, time.Time{}, errToken("token.format")
	}
	h := t.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "at+jwt" {
		return nil, time.Time{}, errToken("token.type")
	}
	pub := s.verifier(ctx, h.KeyID)
	if pub == nil {
		return nil, time.Time{}, errToken("token.key")
	}
	var std jwt.Claims
	var c claims
	if err := t.Claims(pub, &std, &c); err != nil {
		return nil, time.Time{}, errToken("token.signature")
	}
	if std.Expiry == nil || std.IssuedAt == nil {
		return nil, time.Time{}, errToken("token.no-expiry")
	}
	err = std.ValidateWithLeeway(jwt.Expected{Issuer: s.issuer, AnyAudience: jwt.Audience{s.audience}, Time: s.clock.Now()}, 5*time.Second)
	if err != nil {
		if errors.Is(err, jwt.ErrExpired) {
			return nil, time.Time{}, errToken("token.expired")
		}
		return nil, time.Time{}, errToken("token.invalid", strings.TrimPrefix(err.Error(), "go-jose/go-jose/jwt: validation failed, "))
	}
	sc, err := ParseScopes(c.Scope)
	if err != nil || std.Subject == "" {
		return nil, time.Time{}, errToken("token.scopes")
	}
	info, ok := c.Role.Info()
	if !ok || info.Realm != c.Realm {
		return nil, time.Time{}, errToken("token.role")
	}
	// the role's ceiling caps what any token may claim, even a well-signed one
	sc = sc.Narrow(info.Ceiling)
	return &Principal{Realm: c.Realm, Subject: std.Subject, Name: c.Name, Role: c.Role, Establishment: c.Establishment,
		Missions: c.Missions, Locations: c.Locations, Practitioner: c.Practitioner, Patient: c.Patient, Encounter: c.Encounter,
		ClientID: c.ClientID, Scopes: sc, TokenID: std.ID, Purpose: c.Purpose, Family: c.Family,
		IssuedAt: std.IssuedAt.Time()}, std.Expiry.Time(), nil
}

// UserPrincipal is the principal of a user's token with the given scopes,
// narrowed to what the role allows.
func UserPrincipal(u User, scopes Scopes, clientID string) *Principal {
	info, _ := u.Role.Info()
	p := &Principal{Realm: u.Realm, Subject: u.ID, Name: u.Name, Role: u.Role, Establishment: u.Establishment,
		Missions: u.Missions, Locations: u.Locations, Practitioner: u.Practitioner, ClientID: clientID,
		Scopes: scopes.Narrow(info.Ceiling)}
	if u.Realm == RealmCitizen {
		p.Patient = u.Patient
	}
	if p.Name == "" {
		p.Name = u.Username
	}
	return p
}

// ClientPrincipal is the principal of a back-end client's token.
func ClientPrincipal(c Client, scopes Scopes) *Principal {
	return &Principal{Realm: RealmSystem, Subject: c.ID, Name: c.Name, Role: RoleSystem, ClientID: c.ID,
		Missions: c.Missions, Purpose: c.Purpose,
		Scopes: scopes.Narrow(MustScopes(c.Scope)).Narrow(roles[RoleSystem].Ceiling)}
}

// ClientCredentials runs the client_credentials grant (RFC 6749 §4.4, SMART
// backend services): the client's secret, then a token with the requested
// scopes narrowed to the client's registration (all of them if none asked).
func (s *Service) ClientCredentials(ctx context.Context, id, secret, scope string) (string, *Principal, time.Time, error) {
	c, err := s.AuthenticateClient(ctx, id, secret)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	if scope == "" {
		scope = c.Scope
	}
	sc, err := ParseScopes(scope)
	if err != nil {
		return "", nil, time.Time{}, dsn.Wrap("access.ClientCredentials", dsn.KindInvalid, err)
	}
	p := ClientPrincipal(c, sc)
	if len(p.Scopes.Resources) == 0 {
		return "", nil, time.Time{}, errorf("access.ClientCredentials", dsn.KindForbidden, "token.not-granted", scope)
	}
	tok, exp, err := s.IssueAccess(ctx, p, 0)
	return tok, p, exp, err
}

// tokenCache remembers verified tokens until they expire (bounded: when full,
// it is emptied; the next requests verify again).
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	p   *Principal
	exp time.Time
}

const maxCachedTokens = 10000

func (c *tokenCache) get(tok string, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[tok]
	if !ok || !now.Before(e.exp) {
		return nil, false
	}
	// shared, not copied: no caller changes a principal it is given (its
	// slices were shared by the copy already), and the copy was ~300 bytes
	// allocated per request (session 10, round 2)
	return e.p, true
}

func (c *tokenCache) put(tok string, p *Principal, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = map[string]cachedToken{}
	}
	cp := *p
	cp.agent = cp.Agent() // built once per token, not per request
	c.m[tok] = cachedToken{&cp, exp}
}
