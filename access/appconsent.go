package access

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"dsn"
)

// The user's consent to an app (SMART App Launch 2: the authorization server
// "obtains authorization from the user", app-launch.html#step-2; RFC 6749
// §4.1.1 leaves the how to the server). After sign-in (and the patient
// picker), a user is asked once per user × client × scope set; approving
// remembers the set, so an authorization asking the same scopes or fewer is
// not asked again, one asking more is. Withdrawing a remembered consent
// revokes every token the app holds for the user (a cut-off, revoke.go).
// Trusted clients (Client.Trusted, the operator's choice) are not asked.
// Not to be confused with consent.go: the citizen's FHIR Consent
// restrictions (LRSSS s. 7, s. 8).

const (
	kindAppConsent     = "app-consent"
	kindConsentSession = "consent-session"
)

// ConsentSessionTTL bounds the time a user may take on the consent page.
const ConsentSessionTTL = 10 * time.Minute

// AppConsent is a user's remembered consent to one app.
type AppConsent struct {
	User       string    `json:"user"`
	Client     string    `json:"client"`
	ClientName string    `json:"clientName"`
	Scopes     []string  `json:"scopes"` // each approved set (a request covered by one of them is not asked again)
	Granted    time.Time `json:"granted"`
	Updated    time.Time `json:"updated"`
}

func consentID(user, client string) string { return user + "|" + client }

// GrantedScopes are the scopes the app will actually get for u: the
// request narrowed to the client's registration and the user's role, what
// the consent page lists and what a consent remembers.
func GrantedScopes(ar AuthorizeRequest, u User) Scopes {
	return UserPrincipal(u, ar.Scope.Narrow(MustScopesLoose(ar.Client.Scope)), ar.Client.ID).Scopes
}

// covers tells whether approved grants everything in want.
func covers(approved, want Scopes) bool {
	return want.Narrow(approved).String() == want.String()
}

// ConsentNeeded tells whether u must be asked before ar gets a code: not for
// a trusted client, nor when a remembered consent covers the scopes.
func (s *Service) ConsentNeeded(ctx context.Context, ar AuthorizeRequest, u User) bool {
	if ar.Client.Trusted {
		return false
	}
	var c AppConsent
	if s.get(ctx, kindAppConsent, consentID(u.ID, ar.Client.ID), &c) != nil {
		return true
	}
	want := GrantedScopes(ar, u)
	for _, sc := range c.Scopes {
		if covers(MustScopesLoose(sc), want) {
			return false
		}
	}
	return true
}

// ConsentSession is a signed-in user on the consent page: the whole
// authorisation request, already checked, so that the answer needs nothing
// that cannot be replayed (an EHR launch value is used up by then).
type ConsentSession struct {
	User        string    `json:"user"`
	Client      string    `json:"client"`
	RedirectURI string    `json:"redirectUri"`
	Scope       string    `json:"scope"`
	State       string    `json:"state,omitempty"`
	Challenge   string    `json:"challenge"`
	Nonce       string    `json:"nonce,omitempty"`
	Patient     string    `json:"patient,omitempty"`
	Encounter   string    `json:"encounter,omitempty"`
	Expires     time.Time `json:"expires"`
}

// StartConsent opens a consent session for u and ar; it returns its random id.
func (s *Service) StartConsent(ctx context.Context, ar AuthorizeRequest, u User) (string, error) {
	id := randomToken(32)
	cs := ConsentSession{User: u.ID, Client: ar.Client.ID, RedirectURI: ar.RedirectURI, Scope: ar.Scope.String(),
		State: ar.State, Challenge: ar.Challenge, Nonce: ar.Nonce, Patient: ar.Patient, Encounter: ar.Encounter,
		Expires: s.clock.Now().Add(ConsentSessionTTL)}
	return id, s.put(ctx, kindConsentSession, digest(id), "", cs)
}

// ConsentRequest returns the request and user of a consent session without
// ending it (the page shown again). Errors: KindNotFound.
func (s *Service) ConsentRequest(ctx context.Context, id string) (AuthorizeRequest, User, error) {
	var cs ConsentSession
	if id == "" || len(id) > 256 || s.get(ctx, kindConsentSession, digest(id), &cs) != nil {
		return AuthorizeRequest{}, User{}, errConsentSession()
	}
	return s.consentRequest(ctx, cs)
}

// TakeConsent ends a consent session (once) and returns its request and
// user. Errors: KindNotFound (unknown, used, expired; client or user
// disabled since).
func (s *Service) TakeConsent(ctx context.Context, id string) (AuthorizeRequest, User, error) {
	var cs ConsentSession
	if id == "" || len(id) > 256 {
		return AuthorizeRequest{}, User{}, errConsentSession()
	}
	rec, err := s.records.TakeRecord(ctx, kindConsentSession, digest(id))
	if err != nil || json.Unmarshal(rec.Body, &cs) != nil {
		return AuthorizeRequest{}, User{}, errConsentSession()
	}
	return s.consentRequest(ctx, cs)
}

func errConsentSession() error {
	return errorf("access.Consent", dsn.KindNotFound, "consent.session")
}

func (s *Service) consentRequest(ctx context.Context, cs ConsentSession) (AuthorizeRequest, User, error) {
	if !s.clock.Now().Before(cs.Expires) {
		return AuthorizeRequest{}, User{}, errConsentSession()
	}
	c, err := s.ActiveClient(ctx, cs.Client)
	if err != nil || !slices.Contains(c.RedirectURIs, cs.RedirectURI) {
		return AuthorizeRequest{}, User{}, errConsentSession()
	}
	u, err := s.User(ctx, cs.User)
	if err != nil || u.Disabled {
		return AuthorizeRequest{}, User{}, errConsentSession()
	}
	ar := AuthorizeRequest{Client: c, RedirectURI: cs.RedirectURI, Scope: MustScopesLoose(cs.Scope), State: cs.State,
		Challenge: cs.Challenge, Nonce: cs.Nonce, Patient: cs.Patient, Encounter: cs.Encounter}
	return ar, u, nil
}

// RememberConsent keeps u's approval of the scopes ar gets.
func (s *Service) RememberConsent(ctx context.Context, ar AuthorizeRequest, u User) error {
	now := s.clock.Now()
	c := AppConsent{User: u.ID, Client: ar.Client.ID, Granted: now}
	s.get(ctx, kindAppConsent, consentID(u.ID, ar.Client.ID), &c)
	c.ClientName, c.Updated = ar.Client.Name, now
	if sc := GrantedScopes(ar, u).String(); !slices.Contains(c.Scopes, sc) {
		c.Scopes = append(c.Scopes, sc)
	}
	return s.put(ctx, kindAppConsent, consentID(u.ID, ar.Client.ID), u.ID, c)
}

// Consents lists u's remembered consents.
func (s *Service) Consents(ctx context.Context, user string) ([]AppConsent, error) {
	rs, err := s.records.FindRecords(ctx, kindAppConsent, user)
	if err != nil {
		return nil, err
	}
	out := []AppConsent{}
	for _, r := range rs {
		var c AppConsent
		if json.Unmarshal(r.Body, &c) == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// WithdrawConsent forgets u's consent to client and revokes every token
// the client holds for u: refresh tokens deleted, access tokens refused (a
// cut-off on user × client, revoke.go). The next authorisation asks again.
// Errors: KindNotFound (no such consent).
func (s *Service) WithdrawConsent(ctx context.Context, user, client string) error {
	if _, err := s.records.GetRecord(ctx, kindAppConsent, consentID(user, client)); err != nil {
		return errorf("access.WithdrawConsent", dsn.KindNotFound, "consent.none", client)
	}
	if err := s.records.DeleteRecord(ctx, kindAppConsent, consentID(user, client)); err != nil {
		return err
	}
	if err := s.revoke(ctx, revokeGrant, consentID(user, client), time.Time{}); err != nil {
		return err
	}
	if err := s.deleteRefreshTokens(ctx, func(st grantState) bool { return st.User == user && st.Client == client }); err != nil {
		return err
	}
	s.waitPastCutOff(ctx, revokeGrant, consentID(user, client)) // a token issued next must not share the cut-off's second
	return nil
}
