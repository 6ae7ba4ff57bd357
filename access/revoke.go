package access

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// Revocation: access tokens are checked without a database read (tokens.go),
// so disabling a user must also reach the tokens already issued. Each
// disabled user leaves a revocation record; every Service keeps the set of
// revoked subjects in memory, reloaded at most every RevocationTTL, and
// Authenticate refuses their tokens: at once in the process that disabled
// the user, within RevocationTTL in the others.

// RevocationTTL bounds how long another process may still accept a token of
// a user just disabled.
const RevocationTTL = 5 * time.Second

const kindRevocation = "revocation"

// revocation is the record of one revoked subject.
type revocation struct {
	Subject string    `json:"subject"`
	At      time.Time `json:"at"`
}

// revoked is the in-memory set of revoked subjects.
type revoked struct {
	mu        sync.RWMutex
	subjects  map[string]bool
	loadedAt  time.Time
	reloading bool
}

// DisableUser disables a user: no sign-in, no new token, no refresh, and
// their tokens already issued stop working (see RevocationTTL).
// Errors: KindNotFound.
func (s *Service) DisableUser(ctx context.Context, id string) (User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return u, err
	}
	u.Disabled = true
	if err := s.SaveUser(ctx, u); err != nil {
		return u, err
	}
	if err := s.put(ctx, kindRevocation, u.ID, "", revocation{Subject: u.ID, At: s.clock.Now()}); err != nil {
		return u, err
	}
	s.rev.mu.Lock()
	if s.rev.subjects == nil {
		s.rev.subjects = map[string]bool{}
	}
	s.rev.subjects[u.ID] = true
	s.rev.mu.Unlock()
	return u, nil
}

// isRevoked tells whether p's tokens were revoked: one map lookup under a
// read lock; a stale set is reloaded by one caller in the background (the
// first load is waited for).
func (s *Service) isRevoked(ctx context.Context, p *Principal) bool {
	if p.Realm == RealmSystem {
		return false // clients are not disabled (yet): their registration is
	}
	now := s.clock.Now()
	s.rev.mu.RLock()
	first := s.rev.loadedAt.IsZero()
	stale := now.Sub(s.rev.loadedAt) >= RevocationTTL
	hit := s.rev.subjects[p.Subject]
	s.rev.mu.RUnlock()
	switch {
	case first:
		s.reloadRevoked(ctx, now)
		s.rev.mu.RLock()
		hit = s.rev.subjects[p.Subject]
		s.rev.mu.RUnlock()
	case stale:
		s.rev.mu.Lock()
		start := !s.rev.reloading
		s.rev.reloading = true
		s.rev.mu.Unlock()
		if start {
			go s.reloadRevoked(context.WithoutCancel(ctx), now)
		}
	}
	return hit
}

// reloadRevoked reads the revocation records. On a failure the set stays
// as it was and the next call tries again.
func (s *Service) reloadRevoked(ctx context.Context, now time.Time) {
	recs, err := s.records.ListRecords(ctx, kindRevocation)
	set := map[string]bool{}
	for _, r := range recs {
		var v revocation
		if json.Unmarshal(r.Body, &v) == nil {
			set[v.Subject] = true
		}
	}
	s.rev.mu.Lock()
	defer s.rev.mu.Unlock()
	s.rev.reloading = false
	if err != nil {
		return
	}
	for id := range s.rev.subjects { // disabled here meanwhile: keep
		set[id] = set[id] || s.rev.subjects[id]
	}
	s.rev.subjects, s.rev.loadedAt = set, now
}
