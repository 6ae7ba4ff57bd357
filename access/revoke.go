package access

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"dsn"
)

// Revocation (decision 0011). Access tokens are checked without a database
// read (tokens.go), so revoking them needs state every Service keeps in
// memory, reloaded from revocation records at most every RevocationTTL:
//
//   - cut-off times for groups of tokens whose members the server never
//     stored: a user (disabled), a client (disabled or deleted), a refresh
//     token family (RFC 7009 revocation of a refresh token). A token of the
//     group issued at or before the cut-off is refused;
//   - a deny list of single access tokens (jti) revoked through RFC 7009,
//     each entry kept only until the token expires.
//
// Refresh tokens are stored (codes.go), so revoking them deletes them. Every
// record carries the time after which it refuses nothing (every token it
// could match has expired) and is then deleted.

// RevocationTTL bounds how long another process may still accept a token
// just revoked when the store keeps no dsn.RevocationSignal, or the signal
// failed (in the revoking process: at once). With the signal, every process
// refuses it on its next request (decision 0013).
const RevocationTTL = 5 * time.Second

// MaxAccessTTL is the longest life of an access token (dsn token --ttl).
const MaxAccessTTL = 12 * time.Hour

const kindRevocation = "revocation"

// What a revocation record names.
const (
	revokeUser   = "user"   // cut-off: a user's tokens
	revokeClient = "client" // cut-off: every token issued to a client
	revokeFamily = "family" // cut-off: the access tokens of a refresh token family
	revokeToken  = "token"  // deny list: one access token (jti)
	revokeGrant  = "grant"  // cut-off: a user's tokens for one client (consent withdrawn, appconsent.go); id user|client
)

// revocation is one record. Records of the first version named only a
// disabled user (Subject).
type revocation struct {
	What    string    `json:"what,omitempty"`
	ID      string    `json:"id,omitempty"`
	Subject string    `json:"subject,omitempty"` // first version: a disabled user
	At      time.Time `json:"at"`
	Until   time.Time `json:"until,omitzero"`
}

// revoked is the in-memory state: four maps, so the check of a request is
// four map look-ups under a read lock and allocates nothing.
type revoked struct {
	mu        sync.RWMutex
	cut       map[string]map[string]time.Time // what → id → cut-off (users, clients, families)
	grants    map[[2]string]time.Time         // user, client → cut-off (a withdrawn consent): no key string per request
	tokens    map[string]time.Time            // jti → until
	loadedAt  time.Time
	seq       uint64 // the store's RevocationSeq read before the last load
	purgedAt  time.Time
	reloading bool
}

// add records one revocation in memory.
func (r *revoked) add(v revocation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(v)
}

func (r *revoked) addLocked(v revocation) {
	if v.What == revokeToken {
		if r.tokens == nil {
			r.tokens = map[string]time.Time{}
		}
		if v.Until.After(r.tokens[v.ID]) {
			r.tokens[v.ID] = v.Until
		}
		return
	}
	if v.What == revokeGrant {
		user, client, _ := strings.Cut(v.ID, "|")
		if r.grants == nil {
			r.grants = map[[2]string]time.Time{}
		}
		if k := [2]string{user, client}; v.At.After(r.grants[k]) {
			r.grants[k] = v.At
		}
		return
	}
	if r.cut == nil {
		r.cut = map[string]map[string]time.Time{}
	}
	m := r.cut[v.What]
	if m == nil {
		m = map[string]time.Time{}
		r.cut[v.What] = m
	}
	if v.At.After(m[v.ID]) {
		m[v.ID] = v.At
	}
}

// refuses says why p's token is revoked, as a message id ("" if it is not). A cut-off
// refuses the tokens whose iat is not after it: iat has a resolution of one
// second (RFC 7519 NumericDate, rounded down), so every token issued before
// the cut-off is caught, and one issued in the same second too.
func (r *revoked) refuses(p *Principal) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.refusesLocked(p)
}

func (r *revoked) refusesLocked(p *Principal) string {
	if _, ok := r.tokens[p.TokenID]; ok && p.TokenID != "" {
		return "revoked.token"
	}
	before := func(what, id string) bool {
		at, ok := r.cut[what][id]
		return ok && id != "" && !p.IssuedAt.After(at)
	}
	switch {
	case p.Realm != RealmSystem && before(revokeUser, p.Subject):
		return "revoked.user"
	case before(revokeClient, p.ClientID):
		return "revoked.client"
	case before(revokeFamily, p.Family):
		return "revoked.family"
	}
	if at, ok := r.grants[[2]string{p.Subject, p.ClientID}]; ok && !p.IssuedAt.After(at) {
		return "revoked.consent"
	}
	return ""
}

// revoke keeps a revocation: the record first (other processes), then the
// memory of this process (at once).
func (s *Service) revoke(ctx context.Context, what, id string, until time.Time) error {
	now := s.clock.Now()
	if until.IsZero() {
		until = now.Add(s.maxTokenLife())
	}
	v := revocation{What: what, ID: id, At: now, Until: until}
	if err := s.put(ctx, kindRevocation, what+":"+id, "", v); err != nil {
		return err
	}
	s.rev.add(v)
	if s.signal != nil {
		// the record is written: if some process did not acknowledge the
		// signal, it still reloads within RevocationTTL
		s.signal.SignalRevocation(ctx)
	}
	return nil
}

// maxTokenLife is how long a cut-off may matter: the longest access token,
// plus the verification leeway.
func (s *Service) maxTokenLife() time.Duration {
	return max(MaxAccessTTL, s.accessTTL) + time.Minute
}

// DisableUser disables a user: no sign-in, no new token, no refresh (their
// refresh tokens are deleted), and their tokens already issued stop working
// (see RevocationTTL). Errors: KindNotFound.
func (s *Service) DisableUser(ctx context.Context, id string) (User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return u, err
	}
	u.Disabled = true
	if err := s.SaveUser(ctx, u); err != nil {
		return u, err
	}
	if err := s.revoke(ctx, revokeUser, u.ID, time.Time{}); err != nil {
		return u, err
	}
	return u, s.deleteRefreshTokens(ctx, func(st grantState) bool { return st.User == u.ID })
}

// EnableUser lets a disabled user sign in again. Their tokens revoked by the
// disabling stay refused (the cut-off remains); new ones work. It returns
// after the second of the cut-off, so that a token issued next cannot share
// its iat. Errors: KindNotFound, KindConflict (not disabled).
func (s *Service) EnableUser(ctx context.Context, id string) (User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return u, err
	}
	if !u.Disabled {
		return u, errorf("access.EnableUser", dsn.KindConflict, "account.not-disabled", u.Username)
	}
	u.Disabled = false
	if err := s.SaveUser(ctx, u); err != nil {
		return u, err
	}
	s.waitPastCutOff(ctx, revokeUser, u.ID)
	return u, nil
}

// waitPastCutOff sleeps until the clock has left the second of a cut-off.
func (s *Service) waitPastCutOff(ctx context.Context, what, id string) {
	var v revocation
	if s.get(ctx, kindRevocation, what+":"+id, &v) != nil {
		return
	}
	d := v.At.Truncate(time.Second).Add(time.Second).Sub(s.clock.Now())
	if d > 0 && d <= time.Second {
		time.Sleep(d)
	}
}

// deleteRefreshTokens deletes the stored refresh tokens that match.
func (s *Service) deleteRefreshTokens(ctx context.Context, match func(grantState) bool) error {
	rs, err := s.records.ListRecords(ctx, kindRefresh)
	if err != nil {
		return err
	}
	for _, r := range rs {
		var st grantState
		if json.Unmarshal(r.Body, &st) == nil && match(st) {
			if err := s.records.DeleteRecord(ctx, kindRefresh, r.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// isRevoked says why p's token is refused (a message id), "" if it is not: map look-ups
// under a read lock. When the store's revocation signal moved (another
// process revoked something, decision 0013), the revocations are reloaded
// before deciding — the signal is an atomic load, the reload happens once
// per revocation; a state older than RevocationTTL is reloaded by one
// caller in the background (the first load is waited for).
func (s *Service) isRevoked(ctx context.Context, p *Principal, now time.Time) string {
	var seq uint64
	if s.signal != nil {
		seq = s.signal.RevocationSeq()
	}
	s.rev.mu.RLock()
	loaded, why := s.rev.loadedAt, ""
	if !loaded.IsZero() {
		why = s.rev.refusesLocked(p) // one read lock per request
	}
	signalled := seq != s.rev.seq
	s.rev.mu.RUnlock()
	switch {
	case loaded.IsZero() || signalled:
		s.reloadNow(ctx, now)
		return s.rev.refuses(p)
	case now.Sub(loaded) >= RevocationTTL:
		s.rev.mu.Lock()
		start := !s.rev.reloading
		s.rev.reloading = true
		s.rev.mu.Unlock()
		if start {
			go s.reloadRevoked(context.WithoutCancel(ctx), now)
		}
	}
	return why
}

// reloadNow reloads the revocations in the request, once for all the
// requests that saw the same signal (they wait for it).
func (s *Service) reloadNow(ctx context.Context, now time.Time) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	s.rev.mu.RLock()
	current := !s.rev.loadedAt.IsZero() && (s.signal == nil || s.rev.seq == s.signal.RevocationSeq())
	s.rev.mu.RUnlock()
	if !current {
		s.reloadRevoked(ctx, now)
	}
}

// reloadRevoked reads the revocation records; the ones past their Until are
// deleted. On a failure the state stays as it was and the next call tries
// again. At most once an hour it also deletes expired codes and refresh
// tokens (purgeExpired).
func (s *Service) reloadRevoked(ctx context.Context, now time.Time) {
	var seq uint64
	if s.signal != nil {
		seq = s.signal.RevocationSeq() // before the list: a later signal reloads again
	}
	recs, err := s.records.ListRecords(ctx, kindRevocation)
	fresh := revoked{}
	for _, r := range recs {
		var v revocation
		if json.Unmarshal(r.Body, &v) != nil {
			continue
		}
		if v.What == "" && v.Subject != "" { // first version
			v.What, v.ID = revokeUser, v.Subject
		}
		if v.Until.IsZero() {
			v.Until = v.At.Add(s.maxTokenLife())
		}
		if now.After(v.Until) {
			s.records.DeleteRecord(ctx, kindRevocation, r.ID) // refuses nothing any more
			continue
		}
		fresh.addLocked(v)
	}
	s.rev.mu.Lock()
	s.rev.reloading = false
	purge := err == nil && now.Sub(s.rev.purgedAt) >= time.Hour
	if err == nil {
		// what this process revoked meanwhile stays (its record may have
		// been written after the list was read)
		for what, m := range s.rev.cut {
			for id, at := range m {
				if now.Before(at.Add(s.maxTokenLife())) {
					fresh.addLocked(revocation{What: what, ID: id, At: at})
				}
			}
		}
		for k, at := range s.rev.grants {
			if now.Before(at.Add(s.maxTokenLife())) {
				fresh.addLocked(revocation{What: revokeGrant, ID: k[0] + "|" + k[1], At: at})
			}
		}
		for id, until := range s.rev.tokens {
			if now.Before(until) {
				fresh.addLocked(revocation{What: revokeToken, ID: id, Until: until})
			}
		}
		s.rev.cut, s.rev.grants, s.rev.tokens, s.rev.loadedAt, s.rev.seq = fresh.cut, fresh.grants, fresh.tokens, now, seq
		if purge {
			s.rev.purgedAt = now
		}
	}
	s.rev.mu.Unlock()
	if purge { // never in a request's time: the lists may be long
		go s.purgeExpired(context.WithoutCancel(ctx), now)
	}
}

// purgeExpired deletes the authorization codes, refresh tokens and spent
// refresh tokens past their expiry (nobody can use them any more).
func (s *Service) purgeExpired(ctx context.Context, now time.Time) {
	for _, kind := range []string{kindCode, kindRefresh, kindSpent} {
		rs, err := s.records.ListRecords(ctx, kind)
		if err != nil {
			return
		}
		for _, r := range rs {
			var st grantState
			if json.Unmarshal(r.Body, &st) == nil && now.After(st.Expires) {
				s.records.DeleteRecord(ctx, kind, r.ID)
			}
		}
	}
}

// Revoked describes what RevokeToken revoked, for the journal.
type Revoked struct {
	Type    string // access_token or refresh_token
	ID      string // the access token's jti, or the refresh token family
	Family  string // the grant's family revoked with it ("" for none: client credentials, dsn token)
	Agent   string // whose token it was: user:ID or client:ID
	Client  string
	Patient string
}

// RevokeToken revokes a token (RFC 7009 §2.1): a token and the whole grant
// it came from, i.e. its family — the refresh tokens rotated from the same
// authorization code and the access tokens issued from any of them. §2.1
// says revoking a refresh token SHOULD revoke the grant's access tokens and
// revoking an access token MAY revoke its refresh token: DSN does both, so
// a client signing out, or an operator revoking a stolen token, leaves no
// token of that grant usable. An access token without a family (client
// credentials, dsn token) is revoked alone, until it expires.
// hint is RFC 7009's token_type_hint ("" allowed); client, if not "", must
// be the client the token was issued to (the operator's command passes "").
// Errors: KindNotFound (unknown, invalid or expired token: the endpoint
// answers 200, RFC 7009 §2.2), KindForbidden (another client's token),
// KindInvalid (unknown hint).
func (s *Service) RevokeToken(ctx context.Context, token, hint, client string) (Revoked, error) {
	const op = "access.RevokeToken"
	if hint != "" && hint != "access_token" && hint != "refresh_token" {
		return Revoked{}, errorf(op, dsn.KindInvalid, "revoke.hint", hint)
	}
	if token == "" || len(token) > maxTokenLen {
		return Revoked{}, errorf(op, dsn.KindNotFound, "revoke.unknown")
	}
	// an access token is a JWT (two dots), a refresh token is not: the hint
	// only orders the look-ups (RFC 7009 §2.1: search every type)
	if strings.Count(token, ".") == 2 {
		return s.revokeAccess(ctx, token, client)
	}
	return s.revokeRefresh(ctx, token, client)
}

func (s *Service) revokeAccess(ctx context.Context, token, client string) (Revoked, error) {
	p, exp, err := s.authenticate(ctx, token)
	if err != nil {
		return Revoked{}, errorf("access.RevokeToken", dsn.KindNotFound, "revoke.invalid-access")
	}
	if client != "" && p.ClientID != client {
		return Revoked{}, errorf("access.RevokeToken", dsn.KindForbidden, "revoke.other-client")
	}
	if p.TokenID == "" {
		return Revoked{}, errorf("access.RevokeToken", dsn.KindNotFound, "revoke.no-jti")
	}
	r := Revoked{Type: "access_token", ID: p.TokenID, Family: p.Family, Agent: p.Agent(), Client: p.ClientID, Patient: p.Patient}
	if err := s.revoke(ctx, revokeToken, p.TokenID, exp.Add(5*time.Second)); err != nil {
		return r, err
	}
	if p.Family == "" {
		return r, nil
	}
	return r, s.revokeFamily(ctx, p.Family)
}

// RevokeTokenID revokes the access token whose jti is id, whatever its
// client (the operator's command: the token itself may be lost). Without its
// expiry, the entry is kept for the longest life of a token.
func (s *Service) RevokeTokenID(ctx context.Context, id string) error {
	if id == "" || len(id) > 128 {
		return errorf("access.RevokeTokenID", dsn.KindInvalid, "revoke.bad-jti")
	}
	return s.revoke(ctx, revokeToken, id, time.Time{})
}

func (s *Service) revokeRefresh(ctx context.Context, token, client string) (Revoked, error) {
	var st grantState
	rec, err := s.records.GetRecord(ctx, kindRefresh, digest(token))
	if err != nil {
		rec, err = s.records.GetRecord(ctx, kindSpent, digest(token)) // already rotated: its family still
	}
	if err != nil || json.Unmarshal(rec.Body, &st) != nil {
		return Revoked{}, errorf("access.RevokeToken", dsn.KindNotFound, "revoke.already")
	}
	if client != "" && st.Client != client {
		return Revoked{}, errorf("access.RevokeToken", dsn.KindForbidden, "revoke.other-client")
	}
	r := Revoked{Type: "refresh_token", ID: st.Family, Family: st.Family, Agent: "user:" + st.User, Client: st.Client, Patient: st.Patient}
	if st.Family == "" { // issued before families: alone
		return r, s.records.DeleteRecord(ctx, kindRefresh, rec.ID)
	}
	return r, s.revokeFamily(ctx, st.Family)
}

// revokeFamily refuses the family's access tokens and deletes its refresh
// tokens. The cut-off is written before the refresh tokens are listed, and
// a rotation writes its new refresh token before it looks for the cut-off
// (Refresh), so a rotation racing the revocation cannot leave a live token.
func (s *Service) revokeFamily(ctx context.Context, family string) error {
	if err := s.revoke(ctx, revokeFamily, family, time.Time{}); err != nil {
		return err
	}
	rs, err := s.records.FindRecords(ctx, kindRefresh, family)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := s.records.DeleteRecord(ctx, kindRefresh, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// grantRevoked says why a grant may no longer issue tokens (a message id, "" if it may),
// read from the store (another process may have revoked it): its family
// revoked, its user disabled, its client disabled or deleted, the user's
// consent withdrawn. DisableUser, DisableClient and DeleteClient mark the
// account before they delete the refresh tokens, revokeFamily and
// WithdrawConsent write their cut-off before: a rotation that
// wrote its refresh token and then finds no mark has written it before the
// revoker listed them, so the revoker deletes it.
func (s *Service) grantRevoked(ctx context.Context, st grantState, client string) string {
	if _, err := s.records.GetRecord(ctx, kindRevocation, revokeFamily+":"+st.Family); err == nil {
		return "revoked.refresh"
	}
	if u, err := s.User(ctx, st.User); err != nil || u.Disabled {
		return "revoked.account"
	}
	if _, err := s.ActiveClient(ctx, client); err != nil {
		return "revoked.client-gone"
	}
	return s.consentWithdrawn(ctx, st.User, client)
}

// consentWithdrawn says (a message id) why the user's grants to client may no longer issue
// tokens: they withdrew their consent (appconsent.go) and did not give it
// again. A grant of a trusted client, or one older than consents (no
// cut-off recorded), passes.
func (s *Service) consentWithdrawn(ctx context.Context, user, client string) string {
	id := consentID(user, client)
	if _, err := s.records.GetRecord(ctx, kindRevocation, revokeGrant+":"+id); err != nil {
		return ""
	}
	if _, err := s.records.GetRecord(ctx, kindAppConsent, id); err == nil {
		return ""
	}
	return "revoked.consent"
}

// ActiveClient returns a client that may still be used: neither disabled
// nor deleted. Errors: KindNotFound (unknown or deleted), KindForbidden
// (disabled).
func (s *Service) ActiveClient(ctx context.Context, id string) (Client, error) {
	c, err := s.Client(ctx, id)
	switch {
	case err != nil || !c.Deleted.IsZero():
		return Client{}, errorf("access.ActiveClient", dsn.KindNotFound, "client.unknown", id)
	case c.Disabled:
		return Client{}, errorf("access.ActiveClient", dsn.KindForbidden, "client.disabled", id)
	}
	return c, nil
}

// DisableClient stops a client: no token, no refresh (its refresh tokens
// are deleted), its tokens already issued refused (RevocationTTL), its
// $export jobs stopped and failed (cmd/dsn exporter). Errors: KindNotFound.
func (s *Service) DisableClient(ctx context.Context, id string) (Client, error) {
	c, err := s.Client(ctx, id)
	if err != nil || !c.Deleted.IsZero() {
		return c, errorf("access.DisableClient", dsn.KindNotFound, "client.unknown", id)
	}
	c.Disabled = true
	if err := s.put(ctx, kindClient, c.ID, "", c); err != nil {
		return c, err
	}
	return c, s.cutClient(ctx, c.ID)
}

// EnableClient lets a disabled client get tokens again; the tokens revoked
// by the disabling stay refused. Errors: KindNotFound (unknown, deleted),
// KindConflict (not disabled).
func (s *Service) EnableClient(ctx context.Context, id string) (Client, error) {
	c, err := s.Client(ctx, id)
	if err != nil || !c.Deleted.IsZero() {
		return c, errorf("access.EnableClient", dsn.KindNotFound, "client.unknown", id)
	}
	if !c.Disabled {
		return c, errorf("access.EnableClient", dsn.KindConflict, "client.not-disabled", id)
	}
	c.Disabled = false
	if err := s.put(ctx, kindClient, c.ID, "", c); err != nil {
		return c, err
	}
	s.waitPastCutOff(ctx, revokeClient, c.ID)
	return c, nil
}

// DeleteClient revokes everything of a client for good. Its record stays
// as a tombstone — name and id, no secret, no redirect URI — so that the
// journal's entries naming client:ID still name a known client (LRSSS
// s. 103: who accessed), and the id is never given again. Errors:
// KindNotFound.
func (s *Service) DeleteClient(ctx context.Context, id string) (Client, error) {
	c, err := s.Client(ctx, id)
	if err != nil || !c.Deleted.IsZero() {
		return c, errorf("access.DeleteClient", dsn.KindNotFound, "client.gone", id)
	}
	c.Disabled, c.Deleted, c.SecretHash, c.RedirectURIs = true, s.clock.Now(), "", nil
	if err := s.put(ctx, kindClient, c.ID, "", c); err != nil {
		return c, err
	}
	return c, s.cutClient(ctx, c.ID)
}

// cutClient refuses the client's tokens issued so far and deletes its
// refresh tokens.
func (s *Service) cutClient(ctx context.Context, id string) error {
	if err := s.revoke(ctx, revokeClient, id, time.Time{}); err != nil {
		return err
	}
	return s.deleteRefreshTokens(ctx, func(st grantState) bool { return st.Client == id })
}
