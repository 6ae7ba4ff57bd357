package access

import (
	"sync"
	"time"

	"dsn"
)

// Options configures a Service.
type Options struct {
	Records dsn.Records // required
	Clock   dsn.Clock   // default dsn.SystemClock
	// Issuer is the iss of every token (default DefaultIssuer). The server and
	// the command line must agree on it, so it does not depend on the URL the
	// server is reached at.
	Issuer string
	// Audience is the aud of access tokens (default DefaultAudience).
	Audience string
	// AccessTTL is the lifetime of access tokens (default 15 minutes).
	AccessTTL time.Duration
}

// DefaultIssuer and DefaultAudience name DSN's own tokens.
const (
	DefaultIssuer   = "urn:dsn:auth"
	DefaultAudience = "urn:dsn:fhir"
)

// Service keeps users, clients and signing keys, and issues and checks
// tokens. Safe for concurrent use; several processes may share one store.
type Service struct {
	records   dsn.Records
	clock     dsn.Clock
	issuer    string
	audience  string
	accessTTL time.Duration

	mu       sync.Mutex
	keys     map[string]*signingKey // by kid
	current  *signingKey
	reloaded time.Time // last reload of the keys from the store

	tokens   tokenCache
	rev      revoked              // revoked tokens, users, clients, families (revoke.go)
	signal   dsn.RevocationSignal // nil if the store keeps none (decision 0013)
	loadMu   sync.Mutex           // one synchronous reload of the revocations at a time
	throttle throttle             // failed sign-ins (throttle.go)
}

// New makes a Service.
func New(o Options) *Service {
	s := &Service{records: o.Records, clock: o.Clock, issuer: o.Issuer, audience: o.Audience,
		accessTTL: o.AccessTTL, keys: map[string]*signingKey{}}
	s.signal, _ = o.Records.(dsn.RevocationSignal)
	if s.clock == nil {
		s.clock = dsn.SystemClock{}
	}
	if s.issuer == "" {
		s.issuer = DefaultIssuer
	}
	if s.audience == "" {
		s.audience = DefaultAudience
	}
	if s.accessTTL <= 0 {
		s.accessTTL = 15 * time.Minute
	}
	go dummyHash() // ready before the first sign-in of an unknown user
	return s
}

// Issuer is the iss of this service's tokens.
func (s *Service) Issuer() string { return s.issuer }
