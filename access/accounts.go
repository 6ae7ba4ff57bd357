package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dsn"
)

// Record kinds of dsn.Records used by this package.
const (
	kindUser      = "user"
	kindClient    = "client"
	kindKey       = "signing-key"
	kindCode      = "auth-code"
	kindRefresh   = "refresh-token"
	kindSpent     = "refresh-spent" // a rotated refresh token, kept to find its family (revoke.go)
	kindGrant     = "break-glass"
	kindFederated = "federated-identity"
	kindFedState  = "federation-state"
)

// User is a person who signs in: staff (clinicians, archivists,
// administrators, privacy officers) or a citizen (separate realm).
type User struct {
	ID            string    `json:"id"`
	Username      string    `json:"username"`
	Realm         Realm     `json:"realm"`
	Role          Role      `json:"role"`
	Name          string    `json:"name,omitempty"`
	Establishment string    `json:"establishment,omitempty"` // Organization id
	Missions      []string  `json:"missions,omitempty"`      // CH, CLSC, CHSLD, CPEJ, CR
	Locations     []string  `json:"locations,omitempty"`     // Location ids of assigned units
	Practitioner  string    `json:"practitioner,omitempty"`  // Practitioner id
	Patient       string    `json:"patient,omitempty"`       // for a citizen: their Patient id
	PasswordHash  string    `json:"passwordHash,omitempty"`
	Disabled      bool      `json:"disabled,omitempty"`
	Created       time.Time `json:"created"`
	// LRSSS r. 1 s. 8: access is granted to staff who completed privacy
	// training and signed a confidentiality undertaking.
	TrainedAt   time.Time `json:"trainedAt,omitzero"`
	Undertaking time.Time `json:"undertaking,omitzero"`
	Federated   []string  `json:"federated,omitempty"` // "issuer|subject" of external identities
	// Passkeys are the user's WebAuthn credential records, as authapi's
	// WebAuthn library writes them (id, COSE public key, sign count, flags).
	Passkeys []json.RawMessage `json:"passkeys,omitempty"`
}

// Client is an OAuth client: a back-end system (confidential, client
// credentials) or an app (authorization code with PKCE; public or confidential).
type Client struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	SecretHash   string    `json:"secretHash,omitempty"` // SHA-256 of the secret, hex; "" for a public client
	Scope        string    `json:"scope"`                // the most its tokens may carry
	RedirectURIs []string  `json:"redirectUris,omitempty"`
	Created      time.Time `json:"created"`
	// Purpose is the purpose of use of a back-end client (v3 PurposeOfUse;
	// "" = HOPERAT) and Missions the missions it serves (CPEJ opens youth
	// protection files): the policy applies both to its every access,
	// $export included (SetClientUse).
	Purpose  string   `json:"purpose,omitempty"`
	Missions []string `json:"missions,omitempty"`
	// Disabled: no token, its tokens refused (dsn client disable). Deleted:
	// the same for good; the record stays so that the journal's client:ID
	// still names it (revoke.go).
	Disabled bool      `json:"disabled,omitempty"`
	Deleted  time.Time `json:"deleted,omitzero"`
	// Trusted: a first-party or EHR-launch app whose users are not asked
	// to consent (dsn client create --trusted: the operator's choice,
	// appconsent.go).
	Trusted bool `json:"trusted,omitempty"`
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)

// NewUser describes a user to create.
type NewUser struct {
	Username, Name, Establishment, Practitioner, Patient string
	Role                                                 Role
	Missions, Locations                                  []string
	Password                                             string // "" for passkey or federated sign-in only
}

// CreateUser creates a user. Errors: KindInvalid (bad username, role,
// password), KindConflict (username taken in that realm).
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	const op = "access.CreateUser"
	info, ok := nu.Role.Info()
	if !ok || nu.Role == RoleSystem {
		return User{}, errorf(op, dsn.KindInvalid, "account.role", nu.Role)
	}
	u := User{ID: newID(), Username: strings.ToLower(nu.Username), Realm: info.Realm, Role: nu.Role, Name: nu.Name,
		Establishment: nu.Establishment, Missions: nu.Missions, Locations: nu.Locations, Practitioner: nu.Practitioner,
		Patient: nu.Patient, Created: s.clock.Now()}
	if !usernamePattern.MatchString(u.Username) {
		return User{}, errorf(op, dsn.KindInvalid, "account.username", nu.Username)
	}
	if u.Realm == RealmCitizen && u.Patient == "" {
		return User{}, errorf(op, dsn.KindInvalid, "account.citizen-patient")
	}
	if u.Realm == RealmStaff && u.Establishment == "" {
		return User{}, errorf(op, dsn.KindInvalid, "account.staff-establishment")
	}
	if nu.Password != "" {
		h, err := HashPassword(nu.Password)
		if err != nil {
			return User{}, dsn.Wrap(op, dsn.KindInvalid, err)
		}
		u.PasswordHash = h
	}
	if _, err := s.UserByName(ctx, u.Realm, u.Username); err == nil {
		return User{}, errorf(op, dsn.KindConflict, "account.exists", u.Username)
	}
	return u, s.SaveUser(ctx, u)
}

// SaveUser stores u (created or changed).
func (s *Service) SaveUser(ctx context.Context, u User) error {
	return s.put(ctx, kindUser, u.ID, string(u.Realm)+":"+u.Username, u)
}

// User returns a user by id. Errors: KindNotFound.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	var u User
	return u, s.get(ctx, kindUser, id, &u)
}

// UserByName finds a user of realm by username. Errors: KindNotFound.
func (s *Service) UserByName(ctx context.Context, realm Realm, username string) (User, error) {
	rs, err := s.records.FindRecords(ctx, kindUser, string(realm)+":"+strings.ToLower(username))
	if err != nil {
		return User{}, err
	}
	if len(rs) == 0 {
		return User{}, errorf("access.UserByName", dsn.KindNotFound, "account.unknown", username)
	}
	var u User
	return u, json.Unmarshal(rs[0].Body, &u)
}

// CreateClient registers a client and returns it with its secret (shown
// once; only its hash is kept). public: no secret (a browser or mobile app
// using PKCE).
func (s *Service) CreateClient(ctx context.Context, name, scope string, redirectURIs []string, public bool) (Client, string, error) {
	const op = "access.CreateClient"
	if strings.TrimSpace(name) == "" {
		return Client{}, "", errorf(op, dsn.KindInvalid, "client.name")
	}
	sc, err := ParseScopes(scope)
	if err != nil {
		return Client{}, "", dsn.Wrap(op, dsn.KindInvalid, err)
	}
	if len(sc.Resources) == 0 {
		return Client{}, "", errorf(op, dsn.KindInvalid, "client.resource-scope")
	}
	c := Client{ID: newID(), Name: name, Scope: sc.String(), RedirectURIs: redirectURIs, Created: s.clock.Now()}
	secret := ""
	if !public {
		secret = randomToken(32)
		c.SecretHash = hashSecret(secret)
	}
	return c, secret, s.put(ctx, kindClient, c.ID, "", c)
}

// SetClientUse records a client's purpose of use and missions; they apply
// to its next token. Errors: KindInvalid (unknown purpose), KindNotFound.
func (s *Service) SetClientUse(ctx context.Context, id, purpose string, missions []string) (Client, error) {
	if err := CheckPurpose(purpose); err != nil {
		return Client{}, err
	}
	c, err := s.Client(ctx, id)
	if err != nil {
		return c, err
	}
	c.Purpose, c.Missions = purpose, missions
	return c, s.put(ctx, kindClient, c.ID, "", c)
}

// SetClientTrusted marks a client trusted (its users are not asked to
// consent) or not. Errors: KindNotFound.
func (s *Service) SetClientTrusted(ctx context.Context, id string, trusted bool) (Client, error) {
	c, err := s.Client(ctx, id)
	if err != nil {
		return c, err
	}
	c.Trusted = trusted
	return c, s.put(ctx, kindClient, c.ID, "", c)
}

// CheckPurpose accepts "" and the purposes of use a client may be registered
// with. Errors: KindInvalid.
func CheckPurpose(purpose string) error {
	if purpose != "" && !purposes[purpose] {
		return errorf("access.CheckPurpose", dsn.KindInvalid, "client.purpose", purpose)
	}
	return nil
}

// Client returns a client by id. Errors: KindNotFound.
func (s *Service) Client(ctx context.Context, id string) (Client, error) {
	var c Client
	return c, s.get(ctx, kindClient, id, &c)
}

// AuthenticateClient checks a client's secret. Errors: KindUnauthorized.
func (s *Service) AuthenticateClient(ctx context.Context, id, secret string) (Client, error) {
	c, err := s.ActiveClient(ctx, id)
	if err != nil || c.SecretHash == "" ||
		subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(c.SecretHash)) != 1 {
		return Client{}, errorf("access.AuthenticateClient", dsn.KindUnauthorized, "client.auth")
	}
	return c, nil
}

// hashSecret: client secrets are 256 random bits, so one SHA-256 suffices
// (no dictionary to slow down, unlike passwords).
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func (s *Service) put(ctx context.Context, kind, id, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return dsn.Wrap("access.put", dsn.KindInternal, err)
	}
	return s.records.PutRecord(ctx, dsn.Record{Kind: kind, ID: id, Key: key, Body: b, Updated: s.clock.Now()})
}

func (s *Service) get(ctx context.Context, kind, id string, v any) error {
	r, err := s.records.GetRecord(ctx, kind, id)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return dsn.Wrap("access.get", dsn.KindInternal, fmt.Errorf("%s %s: %w", kind, id, err))
	}
	return nil
}

// newID is a random identifier for users and clients (128 bits, URL-safe).
func newID() string { return randomToken(16) }

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// FederatedUser finds the user an external identity provider vouched for:
// the staff user already linked to issuer|subject, else the staff user whose
// username is the provider's preferred_username (then linked, so a later
// rename at the provider does not move the account). Errors: KindNotFound.
func (s *Service) FederatedUser(ctx context.Context, issuer, subject, username string) (User, error) {
	link := issuer + "|" + subject
	if rs, err := s.records.FindRecords(ctx, kindFederated, link); err == nil && len(rs) > 0 {
		if u, err := s.User(ctx, string(rs[0].Body)); err == nil && !u.Disabled {
			return u, nil
		}
	}
	u, err := s.UserByName(ctx, RealmStaff, username)
	if err != nil || u.Disabled {
		return User{}, errorf("access.FederatedUser", dsn.KindNotFound, "account.federated")
	}
	u.Federated = append(u.Federated, link)
	if err := s.SaveUser(ctx, u); err != nil {
		return User{}, err
	}
	return u, s.records.PutRecord(ctx, dsn.Record{Kind: kindFederated, ID: digest(link), Key: link, Body: []byte(u.ID), Updated: s.clock.Now()})
}

// SaveCeremony keeps a WebAuthn ceremony's session (challenge, user) under a
// random id for FederationStateTTL, one use.
func (s *Service) SaveCeremony(ctx context.Context, id string, v any) error {
	return s.SaveFederationState(ctx, "webauthn:"+id, v)
}

// TakeCeremony returns (once) what SaveCeremony kept. Errors: KindNotFound.
func (s *Service) TakeCeremony(ctx context.Context, id string, v any) error {
	return s.TakeFederationState(ctx, "webauthn:"+id, v)
}
