package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"dsn"
	"dsn/access"
)

// browser is an HTTP client with cookies that does not follow redirects.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestAuthorizationCodeFlow: SMART standalone launch with PKCE, the French
// sign-in page with its CSRF protection, refresh token rotation, ID token
// with fhirUser.
func TestAuthorizationCodeFlow(t *testing.T) {
	ctx := context.Background()
	m, base, stop := runMain(t, t.TempDir())
	defer stop()
	if _, err := m.auth.CreateUser(ctx, access.NewUser{Username: "dr.app", Role: access.RolePhysician, Establishment: "e",
		Practitioner: "pr-app", Password: "un mot de passe solide"}); err != nil {
		t.Fatal(err)
	}
	const cb = "http://127.0.0.1:9/retour"
	c, _, err := m.auth.CreateClient(ctx, "Appli SMART", "openid fhirUser offline_access user/*.rs", []string{cb}, true)
	if err != nil {
		t.Fatal(err)
	}
	verifier := strings.Repeat("v3rifier-", 6)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {cb}, "scope": {"openid fhirUser offline_access user/*.cruds"},
		"state": {"xyz"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}, "aud": {base + "/fhir"}}

	// signs in and returns the code of the redirect
	signIn := func(b *http.Client, password string, hdr ...string) (*http.Response, string) {
		res, err := b.Get(base + "/auth/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		mm := csrfField.FindSubmatch(page)
		if res.StatusCode != 200 || mm == nil || !strings.Contains(string(page), "Se connecter") {
			t.Fatalf("sign-in page: %d %s", res.StatusCode, page)
		}
		f := url.Values{}
		for k, v := range q {
			f[k] = v
		}
		f.Set("csrf", string(mm[1]))
		f.Set("username", "dr.app")
		f.Set("password", password)
		req, _ := http.NewRequest("POST", base+"/auth/authorize", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err = b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res, _ = passConsent(t, b, base, res, string(body)) // the consent page, approved (TestConsentScreen)
		loc, _ := url.Parse(res.Header.Get("Location"))
		if loc == nil {
			return res, ""
		}
		return res, loc.Query().Get("code")
	}
	exchange := func(form url.Values) (int, map[string]any) {
		res, err := http.PostForm(base+"/auth/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}

	// CSRF: a forged form (no cookie) and a cross-site POST are refused, no code
	if res, code := signIn(browser(), "un mot de passe solide", "Origin", "http://evil.example"); res.StatusCode != 403 || code != "" {
		t.Fatalf("cross-origin sign-in: %d %q", res.StatusCode, code)
	}
	f := url.Values{}
	for k, v := range q {
		f[k] = v
	}
	f.Set("username", "dr.app")
	f.Set("password", "un mot de passe solide")
	f.Set("csrf", "forged")
	if res, _ := browser().PostForm(base+"/auth/authorize", f); res.StatusCode != 403 {
		t.Fatalf("forged form: %d", res.StatusCode)
	}
	// wrong password: the page again, 401
	if res, code := signIn(browser(), "mauvais mot de passe"); res.StatusCode != 401 || code != "" {
		t.Fatalf("wrong password: %d %q", res.StatusCode, code)
	}
	res, code := signIn(browser(), "un mot de passe solide")
	if res.StatusCode != 302 || code == "" || !strings.Contains(res.Header.Get("Location"), "state=xyz") {
		t.Fatalf("sign-in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	grant := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cb}, "client_id": {c.ID}, "code_verifier": {verifier}}
	st, tok := exchange(grant)
	if st != 200 || tok["access_token"] == nil || tok["refresh_token"] == nil || tok["id_token"] == nil {
		t.Fatalf("code exchange: %d %v", st, tok)
	}
	// the client's registration caps the scopes: user/*.cruds asked, user/*.rs granted
	if !strings.Contains(tok["scope"].(string), "user/*.rs") || strings.Contains(tok["scope"].(string), "cruds") {
		t.Fatalf("granted scope %v", tok["scope"])
	}
	idt := strings.Split(tok["id_token"].(string), ".")
	claims, _ := base64.RawURLEncoding.DecodeString(idt[1])
	if !strings.Contains(string(claims), `"fhirUser":"Practitioner/pr-app"`) || !strings.Contains(string(claims), `"aud":"`+c.ID+`"`) {
		t.Fatalf("id_token claims %s", claims)
	}
	if a := call(t, "GET", base+"/fhir/Practitioner", "", "Authorization", "Bearer "+tok["access_token"].(string)); a.status != 200 {
		t.Fatalf("FHIR with the app's token: %d", a.status)
	}
	if st, out := exchange(grant); st != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("code replay: %d %v", st, out)
	}
	_, code2 := signIn(browser(), "un mot de passe solide")
	bad := url.Values{"grant_type": {"authorization_code"}, "code": {code2}, "redirect_uri": {cb}, "client_id": {c.ID}, "code_verifier": {strings.Repeat("x", 50)}}
	if st, out := exchange(bad); st != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("wrong PKCE verifier: %d %v", st, out)
	}
	// refresh: rotation, the old token works once
	rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {c.ID}}
	st, tok2 := exchange(rf)
	if st != 200 || tok2["access_token"] == nil || tok2["refresh_token"] == tok["refresh_token"] {
		t.Fatalf("refresh: %d %v", st, tok2)
	}
	if st, _ := exchange(rf); st != 400 {
		t.Fatalf("refresh token reuse: %d", st)
	}
	// a wrong aud is sent back to the app as an error, an unknown redirect is not followed
	q.Set("aud", "https://other.example/fhir")
	if res, err := browser().Get(base + "/auth/authorize?" + q.Encode()); err != nil || res.StatusCode != 302 || !strings.Contains(res.Header.Get("Location"), "error=invalid_request") {
		t.Fatalf("wrong aud: %v %v", res.StatusCode, err)
	}
	q.Set("redirect_uri", "http://evil.example/cb")
	if res, err := browser().Get(base + "/auth/authorize?" + q.Encode()); err != nil || res.StatusCode != 400 {
		t.Fatalf("unregistered redirect_uri: %v %v", res.StatusCode, err)
	}
	// failed sign-ins are throttled: after access.AccountFailures, even the
	// right password gets 429 and a French sentence, and the refusal is journaled
	q.Set("aud", base+"/fhir")
	q.Set("redirect_uri", cb)
	for range access.AccountFailures {
		if res, _ := signIn(browser(), "mauvais mot de passe"); res.StatusCode != 401 {
			t.Fatalf("wrong password: %d", res.StatusCode)
		}
	}
	if res, code := signIn(browser(), "un mot de passe solide"); res.StatusCode != 429 || code != "" {
		t.Fatalf("throttled sign-in: %d %q", res.StatusCode, code)
	}
	es, _ := m.raw.(dsn.Journal).SearchAudit(ctx, dsn.AuditQuery{Action: "denied", Count: 1})
	if len(es) != 1 || !strings.Contains(string(es[0].Body), `"outcome":"throttled"`) || !strings.Contains(string(es[0].Body), `"interaction":"sign-in"`) {
		t.Fatalf("journal of the throttled sign-in: %v", es)
	}
}
