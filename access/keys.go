package access

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"sort"
	"time"

	"github.com/go-jose/go-jose/v4"

	"dsn"
)

// Signing keys are ECDSA P-256 (JWS ES256) kept in the store (kind
// "signing-key"), so that a token made by "dsn token" in another process is
// accepted at once by the server: a kid the server does not know makes it
// reload the keys. keyTTL: a key signs for 90 days, then a new one is made;
// old keys keep verifying (tokens live minutes, checkpoints forever).
const keyTTL = 90 * 24 * time.Hour

// reloadEvery bounds how often an unknown kid reloads the keys.
const reloadEvery = time.Second

type signingKey struct {
	ID      string
	Private *ecdsa.PrivateKey
	Created time.Time
}

type storedKey struct {
	PKCS8   []byte    `json:"pkcs8"`
	Created time.Time `json:"created"`
}

// signer returns the current signing key, making one if none is recent.
func (s *Service) signer(ctx context.Context) (*signingKey, error) {
	s.mu.Lock()
	cur := s.current
	s.mu.Unlock()
	if cur != nil && s.clock.Now().Sub(cur.Created) < keyTTL {
		return cur, nil
	}
	if err := s.reloadKeys(ctx, true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	cur = s.current
	s.mu.Unlock()
	if cur != nil && s.clock.Now().Sub(cur.Created) < keyTTL {
		return cur, nil
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, dsn.Wrap("access.signer", dsn.KindInternal, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, dsn.Wrap("access.signer", dsn.KindInternal, err)
	}
	k := &signingKey{ID: kid(&priv.PublicKey), Private: priv, Created: s.clock.Now()}
	if err := s.put(ctx, kindKey, k.ID, "", storedKey{PKCS8: der, Created: k.Created}); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.keys[k.ID], s.current = k, k
	s.mu.Unlock()
	return k, nil
}

// kid is the RFC 7638 thumbprint of the public key, base64url.
func kid(pub *ecdsa.PublicKey) string {
	tp, _ := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto256)
	return b64(tp)
}

// verifier returns the public key of kid, reloading the keys from the store
// (at most once a second) if it is unknown.
func (s *Service) verifier(ctx context.Context, id string) *ecdsa.PublicKey {
	s.mu.Lock()
	k := s.keys[id]
	s.mu.Unlock()
	if k == nil && s.reloadKeys(ctx, false) == nil {
		s.mu.Lock()
		k = s.keys[id]
		s.mu.Unlock()
	}
	if k == nil {
		return nil
	}
	return &k.Private.PublicKey
}

func (s *Service) reloadKeys(ctx context.Context, force bool) error {
	s.mu.Lock()
	if !force && s.clock.Now().Sub(s.reloaded) < reloadEvery {
		s.mu.Unlock()
		return nil
	}
	s.reloaded = s.clock.Now()
	s.mu.Unlock()
	rs, err := s.records.ListRecords(ctx, kindKey)
	if err != nil {
		return err
	}
	keys := map[string]*signingKey{}
	var list []*signingKey
	for _, r := range rs {
		var sk storedKey
		if json.Unmarshal(r.Body, &sk) != nil {
			continue
		}
		p, err := x509.ParsePKCS8PrivateKey(sk.PKCS8)
		priv, ok := p.(*ecdsa.PrivateKey)
		if err != nil || !ok {
			continue
		}
		k := &signingKey{ID: r.ID, Private: priv, Created: sk.Created}
		keys[k.ID] = k
		list = append(list, k)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
	if len(list) > 0 {
		s.current = list[0]
	}
	return nil
}

// JWKS returns the public keys as a JSON Web Key Set (RFC 7517 §5), for the
// jwks_uri of the discovery documents.
func (s *Service) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	if _, err := s.signer(ctx); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var set jose.JSONWebKeySet
	for _, k := range s.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.Private.PublicKey, KeyID: k.ID, Algorithm: string(jose.ES256), Use: "sig"})
	}
	sort.Slice(set.Keys, func(i, j int) bool { return set.Keys[i].KeyID < set.Keys[j].KeyID })
	return set, nil
}

// Sign signs payload with the current key (ECDSA P-256 over SHA-256): the
// journal's checkpoints. It returns the kid and the signature.
func (s *Service) Sign(ctx context.Context, payload []byte) (string, []byte, error) {
	k, err := s.signer(ctx)
	if err != nil {
		return "", nil, err
	}
	h := sha256.Sum256(payload)
	sig, err := ecdsa.SignASN1(rand.Reader, k.Private, h[:])
	return k.ID, sig, dsn.Wrap("access.Sign", dsn.KindInternal, err)
}

// VerifySignature checks a signature made by Sign.
func (s *Service) VerifySignature(ctx context.Context, kid string, payload, sig []byte) bool {
	pub := s.verifier(ctx, kid)
	if pub == nil {
		return false
	}
	h := sha256.Sum256(payload)
	return ecdsa.VerifyASN1(pub, h[:], sig)
}
