package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dsn/access"
)

// softKey is a software WebAuthn authenticator (packed "none" attestation,
// ES256), as a platform authenticator would answer the browser's
// navigator.credentials calls.
type softKey struct {
	id    []byte
	key   *ecdsa.PrivateKey
	count uint32
	rpID  string
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (k *softKey) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(k.rpID))
	var buf bytes.Buffer
	buf.Write(h[:])
	buf.WriteByte(flags)
	binary.Write(&buf, binary.BigEndian, k.count)
	buf.Write(attested)
	return buf.Bytes()
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// create answers a registration's options.
func (k *softKey) create(t *testing.T, challenge, origin string) []byte {
	x, y := k.key.PublicKey.X.FillBytes(make([]byte, 32)), k.key.PublicKey.Y.FillBytes(make([]byte, 32))
	cose, _ := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	var att bytes.Buffer
	att.Write(make([]byte, 16)) // AAGUID
	binary.Write(&att, binary.BigEndian, uint16(len(k.id)))
	att.Write(k.id)
	att.Write(cose)
	ad := k.authData(0x45, att.Bytes()) // UP, UV, AT
	obj, _ := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	resp, _ := json.Marshal(map[string]any{"id": b64u(k.id), "rawId": b64u(k.id), "type": "public-key",
		"response": map[string]any{"attestationObject": b64u(obj), "clientDataJSON": b64u(clientData("webauthn.create", challenge, origin))}})
	return resp
}

// get answers a sign-in's options.
func (k *softKey) get(t *testing.T, challenge, origin string, userHandle []byte) []byte {
	k.count++
	ad := k.authData(0x05, nil) // UP, UV
	cd := clientData("webauthn.get", challenge, origin)
	h := sha256.Sum256(cd)
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, sha256Of(append(append([]byte{}, ad...), h[:]...)))
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := json.Marshal(map[string]any{"id": b64u(k.id), "rawId": b64u(k.id), "type": "public-key",
		"response": map[string]any{"authenticatorData": b64u(ad), "clientDataJSON": b64u(cd), "signature": b64u(sig), "userHandle": b64u(userHandle)}})
	return resp
}

func sha256Of(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

// postJSON sends a same-origin JSON request.
func postJSON(t *testing.T, u, origin, body string, hdr ...string) (int, map[string]any) {
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// challengeOf reads publicKey.challenge of the ceremony options.
func challengeOf(out map[string]any) string {
	return out["options"].(map[string]any)["publicKey"].(map[string]any)["challenge"].(string)
}

// TestPasskeys: register a passkey while signed in, then sign in with it to
// continue an app's authorisation request; a wrong key and a replayed
// ceremony are refused.
func TestPasskeys(t *testing.T) {
	ctx := context.Background()
	m, base, stop := runMain(t, t.TempDir())
	defer stop()
	u, _ := m.auth.CreateUser(ctx, access.NewUser{Username: "inf.cle", Role: access.RoleNurse, Establishment: "e"})
	tok, _, _ := m.auth.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.rs"), ""), time.Minute)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sk := &softKey{id: []byte("credential-0001-xyz"), key: key, rpID: "localhost"}
	origin := m.publicURL() // http://localhost:PORT: the relying party is a domain

	if st, _ := postJSON(t, base+"/auth/passkeys/register/begin", origin, `{}`); st != 401 {
		t.Fatalf("registration without a token: %d", st)
	}
	if st, _ := postJSON(t, base+"/auth/passkeys/register/begin", "http://evil.example", `{}`, "Authorization", "Bearer "+tok); st != 403 {
		t.Fatalf("cross-origin registration: %d", st)
	}
	st, out := postJSON(t, base+"/auth/passkeys/register/begin", origin, `{}`, "Authorization", "Bearer "+tok)
	if st != 200 {
		t.Fatalf("register begin: %d %v", st, out)
	}
	sess := out["session"].(string)
	st, out = postJSON(t, base+"/auth/passkeys/register/finish?session="+sess, origin, string(sk.create(t, challengeOf(out), origin)))
	if st != 201 || out["registered"] != true {
		t.Fatalf("register finish: %d %v", st, out)
	}
	if st, _ := postJSON(t, base+"/auth/passkeys/register/finish?session="+sess, origin, `{}`); st != 400 {
		t.Fatalf("ceremony replay: %d", st)
	}

	const cb = "http://127.0.0.1:9/retour"
	c, _, _ := m.auth.CreateClient(ctx, "Appli", "user/*.rs", []string{cb}, true)
	m.auth.SetClientTrusted(ctx, c.ID, true) // the sign-in itself here; the consent after a passkey at the end
	verifier := strings.Repeat("passkey-", 6)
	authz := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {cb}, "scope": {"user/*.rs"},
		"state": {"k"}, "code_challenge": {b64u(sha256Of([]byte(verifier)))}, "code_challenge_method": {"S256"}}.Encode()
	login := func(k *softKey) (int, map[string]any) {
		st, out := postJSON(t, base+"/auth/passkeys/login/begin", origin, `{"realm":"staff","username":"inf.cle","authorize":"`+authz+`"}`)
		if st != 200 {
			t.Fatalf("login begin: %d %v", st, out)
		}
		return postJSON(t, base+"/auth/passkeys/login/finish?session="+out["session"].(string), origin, string(k.get(t, challengeOf(out), origin, []byte(u.ID))))
	}
	// a key the user never registered (same credential id, another private key)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if st, _ := login(&softKey{id: sk.id, key: other, rpID: sk.rpID, count: 50}); st != 401 {
		t.Fatalf("wrong key: %d", st)
	}
	st, out = login(sk)
	if st != 200 || !strings.HasPrefix(out["redirect"].(string), cb+"?code=") {
		t.Fatalf("passkey sign-in: %d %v", st, out)
	}
	red, _ := url.Parse(out["redirect"].(string))
	res, _ := http.PostForm(base+"/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {red.Query().Get("code")},
		"redirect_uri": {cb}, "client_id": {c.ID}, "code_verifier": {verifier}})
	var tk map[string]any
	json.NewDecoder(res.Body).Decode(&tk)
	res.Body.Close()
	if res.StatusCode != 200 || tk["access_token"] == nil {
		t.Fatalf("token after passkey sign-in: %d %v", res.StatusCode, tk)
	}

	// SMART launches after a passkey sign-in: an EHR launch's context, and
	// the patient picker reached through a cookie (the answer is JSON)
	if a := call(t, "PUT", base+"/fhir/Patient/pk-1", patientJSON("pk-1", "Anne", "Cloutier", "CLOA70010112", "1970-01-01", "")); a.status != 201 {
		t.Fatalf("PUT Patient: %d %s", a.status, a.raw)
	}
	app, _, _ := m.auth.CreateClient(ctx, "Appli SMART", "launch launch/patient user/*.rs patient/*.rs", []string{cb}, true)
	m.auth.SetClientTrusted(ctx, app.ID, true) // an EHR's app
	la := call(t, "POST", base+"/auth/launch", `{"patient":"pk-1"}`, "Authorization", "Bearer "+tok, "Content-Type", "application/json")
	if la.status != 200 {
		t.Fatalf("launch: %d %s", la.status, la.raw)
	}
	query := func(scope string, extra ...string) string {
		v := url.Values{"response_type": {"code"}, "client_id": {app.ID}, "redirect_uri": {cb}, "scope": {scope},
			"state": {"k"}, "code_challenge": {b64u(sha256Of([]byte(verifier)))}, "code_challenge_method": {"S256"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v.Encode()
	}
	finish := func(b *http.Client, authz string) (int, map[string]any) {
		st, out := postJSON(t, base+"/auth/passkeys/login/begin", origin, `{"realm":"staff","username":"inf.cle","authorize":"`+authz+`"}`)
		if st != 200 {
			t.Fatalf("login begin: %d %v", st, out)
		}
		req, _ := http.NewRequest("POST", base+"/auth/passkeys/login/finish?session="+out["session"].(string),
			strings.NewReader(string(sk.get(t, challengeOf(out), origin, []byte(u.ID)))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		res, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var o map[string]any
		json.NewDecoder(res.Body).Decode(&o)
		return res.StatusCode, o
	}
	st, out = finish(browser(), query("launch user/*.rs", "launch", la.obj["launch"].(string)))
	red, _ = url.Parse(fmt.Sprint(out["redirect"]))
	res, _ = http.PostForm(base+"/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {red.Query().Get("code")},
		"redirect_uri": {cb}, "client_id": {app.ID}, "code_verifier": {verifier}})
	tk = nil
	json.NewDecoder(res.Body).Decode(&tk)
	res.Body.Close()
	if st != 200 || tk["patient"] != "pk-1" {
		t.Fatalf("EHR launch after a passkey sign-in: %d %v %v", st, out, tk)
	}
	b := browser()
	st, out = finish(b, query("launch/patient patient/*.rs"))
	next, _ := out["redirect"].(string)
	if st != 200 || !strings.HasPrefix(next, "/auth/authorize?") {
		t.Fatalf("picker after a passkey sign-in: %d %v", st, out)
	}
	res, _ = b.Get(base + next)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Choisir l'usager") || !pickerField.Match(page) {
		t.Fatalf("picker page: %d %s", res.StatusCode, page)
	}
	// without the cookie, the same URL is the sign-in page
	res, _ = browser().Get(base + next)
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(page), "Choisir l'usager") {
		t.Fatal("the picker without its cookie")
	}

	// an app not trusted: the consent page, reached through a cookie too
	third, _, _ := m.auth.CreateClient(ctx, "Appli tierce", "user/*.rs", []string{cb}, true)
	app.ID = third.ID
	b = browser()
	st, out = finish(b, query("user/*.rs"))
	next, _ = out["redirect"].(string)
	if st != 200 || !strings.HasPrefix(next, "/auth/authorize?") {
		t.Fatalf("consent after a passkey sign-in: %d %v", st, out)
	}
	res, _ = b.Get(base + next)
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Appli tierce") {
		t.Fatalf("consent page after a passkey: %d %s", res.StatusCode, page)
	}
	if res, _ = answerConsent(t, b, base, string(page), "autoriser"); res.StatusCode != 302 || !strings.Contains(res.Header.Get("Location"), "code=") {
		t.Fatalf("consent after a passkey: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}
