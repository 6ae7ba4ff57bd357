package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"dsn/access"
)

// tinyProvider is a minimal OpenID provider on loopback: it signs everyone
// in as subject "ext-42" (preferred_username alice) without asking.
type tinyProvider struct {
	*httptest.Server
	key     *ecdsa.PrivateKey
	mu      sync.Mutex
	codes   map[string][2]string // code -> nonce, challenge
	forgeID bool                 // sign ID tokens with another key
}

func newProvider(t *testing.T) *tinyProvider {
	p := &tinyProvider{codes: map[string][2]string{}}
	p.key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize",
			"token_endpoint": p.URL + "/token", "jwks_uri": p.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		code := random32()
		p.mu.Lock()
		p.codes[code] = [2]string{q.Get("nonce"), q.Get("code_challenge")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, secret, _ := r.BasicAuth()
		p.mu.Lock()
		c, ok := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code"))
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || id != "dsn" || secret != "s3cret" || base64.RawURLEncoding.EncodeToString(sum[:]) != c[1] {
			w.WriteHeader(400)
			return
		}
		key := p.key
		if p.forgeID {
			key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		}
		sig, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
		now := time.Now()
		tok, _ := jwt.Signed(sig).Claims(jwt.Claims{Issuer: p.URL, Subject: "ext-42", Audience: jwt.Audience{"dsn"},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).
			Claims(map[string]any{"nonce": c[0], "preferred_username": "alice"}).Serialize()
		json.NewEncoder(w).Encode(map[string]string{"id_token": tok, "token_type": "Bearer", "access_token": "x"})
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func random32() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestFederatedSignIn: a staff member signs in at the establishment's
// OpenID provider; a forged ID token is refused.
func TestFederatedSignIn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	prov := newProvider(t)
	cfg := Config{Addr: "127.0.0.1:0", Store: StoreConfig{DataDir: t.TempDir()}}
	cfg.OIDC.Issuer, cfg.OIDC.ClientID, cfg.OIDC.ClientSecret, cfg.OIDC.Name = prov.URL, "dsn", "s3cret", "Connexion CIUSSS"
	m, err := NewMain(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done; m.Close() }()
	base := "http://" + m.Addr()
	if _, err := m.auth.CreateUser(context.Background(), access.NewUser{Username: "alice", Role: access.RoleNurse, Establishment: "e"}); err != nil {
		t.Fatal(err)
	}
	const cb = "http://127.0.0.1:9/retour"
	c, _, _ := m.auth.CreateClient(context.Background(), "Appli", "openid fhirUser user/*.rs", []string{cb}, true)
	verifier := strings.Repeat("abcdefgh", 6)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {cb}, "scope": {"openid user/*.rs"},
		"state": {"s1"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}

	// the sign-in page offers the provider
	res, _ := http.Get(base + "/auth/authorize?" + q.Encode())
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "Se connecter avec Connexion CIUSSS") {
		t.Fatalf("no federated sign-in on the page: %s", page)
	}
	follow := func() *url.URL {
		b := browser()
		next := base + "/auth/federated?" + q.Encode()
		for range 4 { // us → provider → our callback → the app
			res, err := b.Get(next)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			res, _ = passConsent(t, b, base, res, string(body)) // the consent page, the first time
			if res.StatusCode != 302 {
				t.Fatalf("%s: %d", next, res.StatusCode)
			}
			next = res.Header.Get("Location")
			if strings.HasPrefix(next, cb) {
				u, _ := url.Parse(next)
				return u
			}
		}
		t.Fatal("redirect loop")
		return nil
	}
	back := follow()
	code := back.Query().Get("code")
	if code == "" || back.Query().Get("state") != "s1" {
		t.Fatalf("back at the app: %s", back)
	}
	st, tok := 0, map[string]any{}
	res, _ = http.PostForm(base+"/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {cb}, "client_id": {c.ID}, "code_verifier": {verifier}})
	st = res.StatusCode
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if st != 200 || tok["access_token"] == nil {
		t.Fatalf("token after federated sign-in: %d %v", st, tok)
	}
	p, err := m.auth.Authenticate(context.Background(), tok["access_token"].(string))
	if err != nil || p.Role != access.RoleNurse || p.Name != "alice" {
		t.Fatalf("principal %+v %v", p, err)
	}
	u, _ := m.auth.UserByName(context.Background(), access.RealmStaff, "alice")
	if len(u.Federated) != 1 || u.Federated[0] != prov.URL+"|ext-42" {
		t.Fatalf("identity not linked: %v", u.Federated)
	}
	// an EHR launch completed by a federated sign-in: the context reaches the token
	systemToken(t, m) // writes the patient
	if a := call(t, "PUT", base+"/fhir/Patient/fed-1", patientJSON("fed-1", "Luc", "Roy", "ROYL60010112", "1960-01-01", "")); a.status != 201 {
		t.Fatalf("PUT Patient: %d %s", a.status, a.raw)
	}
	la := call(t, "POST", base+"/auth/launch", `{"patient":"fed-1"}`, "Authorization", "Bearer "+tok["access_token"].(string),
		"Content-Type", "application/json")
	if la.status != 200 {
		t.Fatalf("launch: %d %s", la.status, la.raw)
	}
	plain := q
	q = url.Values{}
	for k, v := range plain {
		q[k] = v
	}
	q.Set("scope", "launch openid user/*.rs")
	q.Set("launch", la.obj["launch"].(string))
	back = follow()
	res, _ = http.PostForm(base+"/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")},
		"redirect_uri": {cb}, "client_id": {c.ID}, "code_verifier": {verifier}})
	tok2 := map[string]any{}
	json.NewDecoder(res.Body).Decode(&tok2)
	res.Body.Close()
	if tok2["patient"] != "fed-1" {
		t.Fatalf("EHR launch through federation: %s %v", back, tok2)
	}
	q = plain
	// a forged ID token: back at the app with access_denied, no code
	prov.forgeID = true
	back = follow()
	if back.Query().Get("code") != "" || back.Query().Get("error") != "access_denied" {
		t.Fatalf("forged ID token: %s", back)
	}
}
