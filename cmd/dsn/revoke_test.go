package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dsn"
	"dsn/access"
)

// app is a SMART app registered on a test server, signing a user in through
// the authorization code flow (the sign-in form, its CSRF field, PKCE).
type app struct {
	t        *testing.T
	base, id string
	secret   string // "" for a public app
	cb       string
}

const appCallback = "http://127.0.0.1:9/retour"

func newApp(t *testing.T, m *Main, base, scope string, public bool) *app {
	t.Helper()
	c, secret, err := m.auth.CreateClient(context.Background(), "Appli "+scope, scope, []string{appCallback}, public)
	if err != nil {
		t.Fatal(err)
	}
	return &app{t: t, base: base, id: c.ID, secret: secret, cb: appCallback}
}

var testVerifier = strings.Repeat("v3rifier-", 6)

// authorizeQuery is the app's /authorize request; extra adds parameters.
func (a *app) authorizeQuery(scope string, extra ...string) url.Values {
	sum := sha256.Sum256([]byte(testVerifier))
	q := url.Values{"response_type": {"code"}, "client_id": {a.id}, "redirect_uri": {a.cb}, "scope": {scope},
		"state": {"etat"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "aud": {a.base + "/fhir"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// signIn is signInRaw, then the consent page approved if it shows.
func (a *app) signIn(b *http.Client, q url.Values, username, password string) (*http.Response, string) {
	a.t.Helper()
	res, body := a.signInRaw(b, q, username, password)
	return passConsent(a.t, b, a.base, res, body)
}

// signInRaw shows the sign-in page of q, posts the form with the user's
// credentials and returns the response (not followed) with its body.
func (a *app) signInRaw(b *http.Client, q url.Values, username, password string) (*http.Response, string) {
	a.t.Helper()
	res, err := b.Get(a.base + "/auth/authorize?" + q.Encode())
	if err != nil {
		a.t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	mm := csrfField.FindSubmatch(page)
	if res.StatusCode != 200 || mm == nil {
		a.t.Fatalf("sign-in page: %d %s", res.StatusCode, page)
	}
	f := url.Values{}
	for k, v := range q {
		f[k] = v
	}
	f.Set("csrf", string(mm[1]))
	f.Set("username", username)
	f.Set("password", password)
	res, err = b.PostForm(a.base+"/auth/authorize", f)
	if err != nil {
		a.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

// code returns the authorization code of a redirect to the app.
func (a *app) code(res *http.Response) string {
	a.t.Helper()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != 302 || err != nil || loc.Query().Get("code") == "" {
		a.t.Fatalf("no code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// post sends a form to an endpoint of the authorisation server, with the
// app's credentials, and returns the status and the JSON answer.
func (a *app) post(path string, form url.Values) (int, map[string]any) {
	a.t.Helper()
	if a.secret == "" && form.Get("client_id") == "" {
		form.Set("client_id", a.id)
	}
	req, _ := http.NewRequest("POST", a.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a.secret != "" {
		req.SetBasicAuth(a.id, a.secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// tokens runs the whole flow for a user and returns the token response.
func (a *app) tokens(username, password, scope string, extra ...string) map[string]any {
	a.t.Helper()
	res, _ := a.signIn(browser(), a.authorizeQuery(scope, extra...), username, password)
	st, out := a.post("/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {a.code(res)},
		"redirect_uri": {a.cb}, "code_verifier": {testVerifier}})
	if st != 200 {
		a.t.Fatalf("code exchange: %d %v", st, out)
	}
	return out
}

func (a *app) refresh(tok string) (int, map[string]any) {
	return a.post("/auth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}})
}

func (a *app) revoke(tok, hint string) (int, map[string]any) {
	f := url.Values{"token": {tok}}
	if hint != "" {
		f.Set("token_type_hint", hint)
	}
	return a.post("/auth/revoke", f)
}

func fhirStatus(t *testing.T, base, tok string) int {
	return call(t, "GET", base+"/fhir/Practitioner", "", "Authorization", "Bearer "+tok).status
}

// TestTokenRevocation: RFC 7009 over HTTP, on SQLite and PostgreSQL. A
// revoked access token gets 401 on /fhir; revoking a refresh token, even one
// already rotated, revokes its successors and the access tokens issued from
// them; a spent refresh token presented again revokes its family; errors
// are RFC 6749 §5.2 JSON; dsn token revoke does the same from the command line.
func TestTokenRevocation(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			sc := freshStore(t, kind)
			s := startOn(t, sc)
			testRevocation(t, s.m, strings.TrimSuffix(s.base, "/fhir"), sc)
		})
	}
}

func testRevocation(t *testing.T, m *Main, base string, sc StoreConfig) {
	ctx := context.Background()
	if _, err := m.auth.CreateUser(ctx, access.NewUser{Username: "dr.revoque", Role: access.RolePhysician, Establishment: "e",
		Practitioner: "pr-1", Password: "un mot de passe solide"}); err != nil {
		t.Fatal(err)
	}
	const scope = "openid fhirUser offline_access user/*.rs"
	pub := newApp(t, m, base, scope, true)
	conf := newApp(t, m, base, scope, false)

	sc0 := call(t, "GET", base+"/fhir/.well-known/smart-configuration", "", "Authorization", "")
	if sc0.obj["revocation_endpoint"] != base+"/auth/revoke" {
		t.Fatalf("smart-configuration: %s", sc0.raw)
	}
	if md := call(t, "GET", base+"/fhir/metadata", "", "Authorization", ""); !strings.Contains(string(md.raw), `"code":"SMART-on-FHIR"`) ||
		!strings.Contains(string(md.raw), "/auth/revoke") {
		t.Fatalf("CapabilityStatement security: %.300s", md.raw)
	}

	// an access token, revoked: 401 at once, and its grant with it (RFC 7009
	// §2.1): the refresh token rotated from the same code and the access
	// token issued by that rotation
	t1 := pub.tokens("dr.revoque", "un mot de passe solide", scope)
	a1 := t1["access_token"].(string)
	st, t1b := pub.refresh(t1["refresh_token"].(string))
	if st != 200 || fhirStatus(t, base, a1) != 200 {
		t.Fatalf("before revocation: %d %v", st, t1b)
	}
	if st, out := pub.revoke(a1, "access_token"); st != 200 {
		t.Fatalf("revoke access token: %d %v", st, out)
	}
	if st := fhirStatus(t, base, a1); st != 401 {
		t.Fatalf("revoked access token: %d", st)
	}
	if st := fhirStatus(t, base, t1b["access_token"].(string)); st != 401 {
		t.Fatalf("an access token of the same grant: %d", st)
	}
	if st, out := pub.refresh(t1b["refresh_token"].(string)); st != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("the refresh token of a revoked access token's grant: %d %v", st, out)
	}
	if st, _ := pub.revoke(a1, ""); st != 200 { // already revoked: 200 (RFC 7009 §2.2)
		t.Fatalf("revoke again: %d", st)
	}
	t2 := pub.tokens("dr.revoque", "un mot de passe solide", scope) // another grant, alive

	// a family: r1 → r2 → r3 by rotation; revoking r1 (spent) kills r3 and
	// the access tokens of every generation
	f1 := conf.tokens("dr.revoque", "un mot de passe solide", scope)
	r1 := f1["refresh_token"].(string)
	_, f2 := conf.refresh(r1)
	st, f3 := conf.refresh(f2["refresh_token"].(string))
	if st != 200 {
		t.Fatalf("second rotation: %d %v", st, f3)
	}
	for _, f := range []map[string]any{f1, f2, f3} {
		if st := fhirStatus(t, base, f["access_token"].(string)); st != 200 {
			t.Fatalf("family before revocation: %d", st)
		}
	}
	if st, out := conf.revoke(r1, "refresh_token"); st != 200 {
		t.Fatalf("revoke spent refresh token: %d %v", st, out)
	}
	for i, f := range []map[string]any{f1, f2, f3} {
		if st := fhirStatus(t, base, f["access_token"].(string)); st != 401 {
			t.Fatalf("access token of generation %d after family revocation: %d", i+1, st)
		}
	}
	if st, out := conf.refresh(f3["refresh_token"].(string)); st != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("successor of a revoked refresh token: %d %v", st, out)
	}
	// the other app's family is untouched
	if st := fhirStatus(t, base, t2["access_token"].(string)); st != 200 {
		t.Fatalf("another family: %d", st)
	}

	// replay of a spent refresh token: the family is revoked (RFC 9700 §4.14.2)
	g1 := pub.tokens("dr.revoque", "un mot de passe solide", scope)
	_, g2 := pub.refresh(g1["refresh_token"].(string))
	if st, out := pub.refresh(g1["refresh_token"].(string)); st != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("replayed refresh token: %d %v", st, out)
	}
	if st, _ := pub.refresh(g2["refresh_token"].(string)); st != 400 {
		t.Fatalf("the legitimate successor after a replay: %d", st)
	}
	if st := fhirStatus(t, base, g2["access_token"].(string)); st != 401 {
		t.Fatalf("access token of a replayed family: %d", st)
	}

	// bad requests: the token endpoint's JSON errors
	if st, out := pub.revoke("", ""); st != 400 || out["error"] != "invalid_request" {
		t.Fatalf("no token: %d %v", st, out)
	}
	if st, out := pub.revoke("abc", "id_token"); st != 400 || out["error"] != "unsupported_token_type" {
		t.Fatalf("unknown hint: %d %v", st, out)
	}
	if st, _ := pub.revoke("inconnu-"+strings.Repeat("x", 30), "refresh_token"); st != 200 {
		t.Fatalf("unknown token: %d", st)
	}
	if st, _ := pub.revoke("a.b.c", ""); st != 200 {
		t.Fatalf("invalid JWT: %d", st)
	}
	wrong := *conf
	wrong.secret = "mauvais"
	if st, out := wrong.revoke(t2["access_token"].(string), ""); st != 401 || out["error"] != "invalid_client" {
		t.Fatalf("wrong client secret: %d %v", st, out)
	}
	if st, out := conf.revoke(t2["access_token"].(string), ""); st != 400 || out["error"] != "invalid_request" {
		t.Fatalf("another client's token: %d %v", st, out)
	}
	if st := fhirStatus(t, base, t2["access_token"].(string)); st != 200 {
		t.Fatalf("another client could revoke a token: %d", st)
	}
	es, _ := m.raw.(dsn.Journal).SearchAudit(ctx, dsn.AuditQuery{Action: "revoke", Count: 10})
	if len(es) < 3 {
		t.Fatalf("journal of revocations: %d entries", len(es))
	}

	// the command line, another process on the store: refused by the server
	// on its next request (the store's revocation signal, decision 0013)
	storeFlag := storeArgs(sc)
	code, out, errOut := cli(t, "", append([]string{"token", "--user", "dr.revoque"}, storeFlag...)...)
	if code != 0 {
		t.Fatalf("dsn token: %s", errOut)
	}
	cliTok := strings.TrimSpace(out)
	if st := fhirStatus(t, base, cliTok); st != 200 {
		t.Fatalf("CLI token before: %d", st)
	}
	if code, out, errOut = cli(t, cliTok+"\n", append([]string{"token", "revoke"}, storeFlag...)...); code != 0 || !strings.Contains(out, "révoqué") {
		t.Fatalf("dsn token revoke: %d %s %s", code, out, errOut)
	}
	if st := fhirStatus(t, base, cliTok); st != 401 {
		t.Fatalf("CLI token after dsn token revoke: %d", st)
	}
	// --jti: the jti of a token read from the app's answer
	jti := jwtClaim(t, t2["access_token"].(string), "jti")
	if code, _, errOut = cli(t, "", append([]string{"token", "revoke", "--jti", jti}, storeFlag...)...); code != 0 {
		t.Fatalf("dsn token revoke --jti: %s", errOut)
	}
	if st := fhirStatus(t, base, t2["access_token"].(string)); st != 401 {
		t.Fatalf("token after dsn token revoke --jti: %d", st)
	}
	// a refresh token on stdin revokes its family
	h1 := pub.tokens("dr.revoque", "un mot de passe solide", scope)
	if code, out, errOut = cli(t, h1["refresh_token"].(string)+"\n", append([]string{"token", "revoke"}, storeFlag...)...); code != 0 || !strings.Contains(out, "lignée") {
		t.Fatalf("dsn token revoke (refresh): %d %s %s", code, out, errOut)
	}
	if st, _ := pub.refresh(h1["refresh_token"].(string)); st != 400 {
		t.Fatalf("refresh token revoked by the CLI: %d", st)
	}
	if st := fhirStatus(t, base, h1["access_token"].(string)); st != 401 {
		t.Fatalf("access token of a family revoked by the CLI: %d", st)
	}
	// an access token on stdin revokes its family too: the refresh token is refused
	h2 := pub.tokens("dr.revoque", "un mot de passe solide", scope)
	if code, out, errOut = cli(t, h2["access_token"].(string)+"\n", append([]string{"token", "revoke"}, storeFlag...)...); code != 0 || !strings.Contains(out, "lignée") {
		t.Fatalf("dsn token revoke (access token of a grant): %d %s %s", code, out, errOut)
	}
	if st, _ := pub.refresh(h2["refresh_token"].(string)); st != 400 {
		t.Fatalf("refresh token of an access token revoked by the CLI: %d", st)
	}
	// bad input: one line, exit 1
	for _, in := range []string{"", "pas-un-jeton\n", "a.b.c\n"} {
		code, _, errOut := cli(t, in, append([]string{"token", "revoke"}, storeFlag...)...)
		if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "jeton") {
			t.Fatalf("dsn token revoke with %q: %d %q", in, code, errOut)
		}
	}
}

// statusNow asserts that /fhir answers want to tok on the very next request
// (a revocation by another process on the store reaches the server through
// the store's revocation signal, decision 0013).
func statusNow(t *testing.T, base, tok string, want int) {
	t.Helper()
	if st := fhirStatus(t, base, tok); st != want {
		t.Fatalf("status %d, want %d", st, want)
	}
}

// jwtClaim reads one claim of a JWT without verifying it.
func jwtClaim(t *testing.T, tok, name string) string {
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("JWT claims of %q", tok)
	}
	s, _ := c[name].(string)
	return s
}

// TestRevocationTwoServers: two servers on one store (SQLite data directory,
// PostgreSQL schema); a token revoked at one is refused by the other on the
// very next request, with its grant's refresh token (decision 0013).
func TestRevocationTwoServers(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			sc := freshStore(t, kind)
			one, two := startOn(t, sc), startOn(t, sc)
			base1, base2 := strings.TrimSuffix(one.base, "/fhir"), strings.TrimSuffix(two.base, "/fhir")
			if _, err := one.m.auth.CreateUser(context.Background(), access.NewUser{Username: "dr.deux", Role: access.RolePhysician,
				Establishment: "e", Password: "un mot de passe solide"}); err != nil {
				t.Fatal(err)
			}
			const scope = "offline_access user/*.rs"
			ap := newApp(t, one.m, base1, scope, true)
			tk := ap.tokens("dr.deux", "un mot de passe solide", scope)
			other := ap.tokens("dr.deux", "un mot de passe solide", scope)
			for _, tok := range []string{tk["access_token"].(string), other["access_token"].(string)} {
				if st := fhirStatus(t, base2, tok); st != 200 {
					t.Fatalf("second server before: %d", st)
				}
			}
			if st, out := ap.revoke(tk["access_token"].(string), ""); st != 200 {
				t.Fatalf("revoke at the first server: %d %v", st, out)
			}
			if st := fhirStatus(t, base2, tk["access_token"].(string)); st != 401 {
				t.Fatalf("second server, next request after the revocation: %d", st)
			}
			ap2 := *ap
			ap2.base = base2
			if st, out := ap2.refresh(tk["refresh_token"].(string)); st != 400 || out["error"] != "invalid_grant" {
				t.Fatalf("refresh at the second server: %d %v", st, out)
			}
			if st := fhirStatus(t, base2, other["access_token"].(string)); st != 200 {
				t.Fatalf("another grant at the second server: %d", st)
			}
		})
	}
}
