package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"dsn/access"
)

var consentField = regexp.MustCompile(`name="consent" value="([^"]+)"`)

// answerConsent posts the consent page's form (decision "autoriser" or
// "refuser") and returns the response (not followed) with its body.
func answerConsent(t *testing.T, b *http.Client, base, page, decision string) (*http.Response, string) {
	t.Helper()
	cs, csrf := consentField.FindStringSubmatch(page), csrfField.FindStringSubmatch(page)
	if cs == nil || csrf == nil {
		t.Fatalf("not the consent page: %s", page)
	}
	res, err := b.PostForm(base+"/auth/authorize", url.Values{"csrf": {csrf[1]}, "consent": {cs[1]}, "decision": {decision}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, html.UnescapeString(string(body))
}

// passConsent approves the consent page if res shows it (the flows tested
// elsewhere than in TestConsentScreen), else returns res as it is.
func passConsent(t *testing.T, b *http.Client, base string, res *http.Response, body string) (*http.Response, string) {
	t.Helper()
	if res.StatusCode != 200 || !consentField.MatchString(body) {
		return res, body
	}
	return answerConsent(t, b, base, body, "autoriser")
}

// TestConsentScreen: after sign-in the user sees, in French, the app and
// what it asks in plain words; Refuser sends access_denied with the state;
// Autoriser is remembered for the same or fewer scopes, asked again for
// more; the user lists and withdraws it (its tokens then refused); a
// trusted client is not asked; the form has the CSRF protection of the
// others; dsn consent list|withdraw do the same from the command line.
func TestConsentScreen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, base, stop := runMain(t, dir)
	defer stop()
	const pw = "un mot de passe solide"
	if _, err := m.auth.CreateUser(ctx, access.NewUser{Username: "dr.consent", Role: access.RolePhysician, Establishment: "e",
		Practitioner: "pr-c", Password: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.auth.CreateUser(ctx, access.NewUser{Username: "citoyen.c", Role: access.RoleCitizen, Patient: "pat-c", Password: pw}); err != nil {
		t.Fatal(err)
	}
	const wide = "openid fhirUser offline_access user/*.rs patient/*.rs"
	ap := newApp(t, m, base, wide, true)
	ap.t = t
	signIn := func(b *http.Client, scope string) (*http.Response, string) {
		res, page := ap.signInRaw(b, ap.authorizeQuery(scope), "dr.consent", pw)
		return res, html.UnescapeString(page)
	}
	const scope = "openid offline_access user/Observation.rs"

	// the page: French, the app's name, the scopes in plain words
	b := browser()
	res, page := signIn(b, scope)
	if res.StatusCode != 200 || !strings.Contains(page, "Autoriser l'application") || !strings.Contains(page, "<strong>Appli openid") ||
		!strings.Contains(page, "Lire les résultats de laboratoire et signes vitaux de tous les dossiers auxquels vous avez accès") ||
		!strings.Contains(page, "Garder l'accès après votre déconnexion") || !strings.Contains(page, ">Refuser<") {
		t.Fatalf("consent page: %d %s", res.StatusCode, page)
	}
	if res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatal("the consent page may be framed")
	}
	// CSRF: without the cookie (another browser) or with a forged field, refused; the session stays usable
	cs := consentField.FindStringSubmatch(page)[1]
	if res, _ := browser().PostForm(base+"/auth/authorize", url.Values{"csrf": {"forge"}, "consent": {cs}, "decision": {"autoriser"}}); res.StatusCode != 403 {
		t.Fatalf("forged consent: %d", res.StatusCode)
	}
	// Refuser: access_denied and the state, nothing remembered
	res, _ = answerConsent(t, b, base, page, "refuser")
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != 302 || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "etat" || loc.Query().Get("code") != "" ||
		!strings.HasPrefix(res.Header.Get("Location"), appCallback) {
		t.Fatalf("refused: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := answerConsent(t, b, base, page, "autoriser"); res.StatusCode != 400 { // the session is spent
		t.Fatalf("a consent session answered twice: %d", res.StatusCode)
	}
	// asked again; Autoriser gives the code
	b = browser()
	res, page = signIn(b, scope)
	if !consentField.MatchString(page) {
		t.Fatalf("a refusal was remembered: %d", res.StatusCode)
	}
	res, _ = answerConsent(t, b, base, page, "autoriser")
	code := ap.code(res)
	st, tk := ap.post("/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {ap.cb}, "code_verifier": {testVerifier}})
	if st != 200 {
		t.Fatalf("code exchange: %d %v", st, tk)
	}
	// remembered: the same scopes and fewer go straight to the app; more ask again
	for _, sc := range []string{scope, "offline_access user/Observation.rs"} {
		if res, _ := signIn(browser(), sc); res.StatusCode != 302 || ap.code(res) == "" {
			t.Fatalf("remembered consent, scope %q: %d", sc, res.StatusCode)
		}
	}
	if _, page := signIn(browser(), scope+" user/Condition.rs"); !strings.Contains(page, "problèmes de santé") {
		t.Fatalf("more scopes: not asked again: %s", page)
	}
	// a trusted client (the portal) is not asked
	tr := newApp(t, m, base, wide, true)
	if _, err := m.auth.SetClientTrusted(ctx, tr.id, true); err != nil {
		t.Fatal(err)
	}
	res, _ = tr.signInRaw(browser(), tr.authorizeQuery(scope), "dr.consent", pw)
	if res.StatusCode != 302 || tr.code(res) == "" {
		t.Fatalf("trusted client: %d", res.StatusCode)
	}
	portal := tr.tokens("dr.consent", pw, scope)["access_token"].(string)
	// the user lists and withdraws it from the portal: the app's tokens are
	// refused; the app itself may not list the user's other apps
	tok := tk["access_token"].(string)
	if l := call(t, "GET", base+"/auth/consents", "", "Authorization", "Bearer "+tok); l.status != 403 {
		t.Fatalf("a third-party app lists the consents: %d", l.status)
	}
	if wd := call(t, "POST", base+"/auth/consents/withdraw", url.Values{"client_id": {tr.id}}.Encode(),
		"Authorization", "Bearer "+tok, "Content-Type", "application/x-www-form-urlencoded"); wd.status != 403 {
		t.Fatalf("a third-party app withdraws another app's consent: %d", wd.status)
	}
	list := call(t, "GET", base+"/auth/consents", "", "Authorization", "Bearer "+portal)
	if list.status != 200 || !strings.Contains(string(list.raw), `"client_id":"`+ap.id+`"`) || !strings.Contains(string(list.raw), "user/Observation.rs") {
		t.Fatalf("consents: %d %s", list.status, list.raw)
	}
	if l := call(t, "GET", base+"/auth/consents", "", "Authorization", ""); l.status != 401 {
		t.Fatalf("consents without a token: %d", l.status)
	}
	wd := call(t, "POST", base+"/auth/consents/withdraw", url.Values{"client_id": {ap.id}}.Encode(),
		"Authorization", "Bearer "+portal, "Content-Type", "application/x-www-form-urlencoded")
	if wd.status != 200 {
		t.Fatalf("withdraw: %d %s", wd.status, wd.raw)
	}
	if st := fhirStatus(t, base, tok); st != 401 {
		t.Fatalf("a token of a withdrawn consent: %d", st)
	}
	if st, _ := ap.refresh(tk["refresh_token"].(string)); st != 400 {
		t.Fatalf("a refresh token of a withdrawn consent: %d", st)
	}
	if _, page := signIn(browser(), scope); !consentField.MatchString(page) {
		t.Fatal("withdrawn consent: not asked again")
	}

	// a citizen reads « vos … » about their own record
	if _, page := ap.signInRaw(browser(), ap.authorizeQuery("patient/Observation.rs", "realm", "citizen"), "citoyen.c", pw); !strings.Contains(html.UnescapeString(page), "Lire vos résultats de laboratoire et signes vitaux") {
		t.Fatalf("citizen's consent page: %s", page)
	}

	// the command line: list, withdraw, errors
	b = browser()
	res, page = signIn(b, scope)
	ap.code(func() *http.Response { r, _ := answerConsent(t, b, base, page, "autoriser"); return r }())
	store := []string{"--data", dir}
	if code, out, errOut := cli(t, "", append([]string{"consent", "list", "--username", "dr.consent"}, store...)...); code != 0 || !strings.Contains(out, ap.id) {
		t.Fatalf("dsn consent list: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := cli(t, "", append([]string{"consent", "withdraw", "--username", "dr.consent", "--client", ap.id}, store...)...); code != 0 || !strings.Contains(out, "retirée") {
		t.Fatalf("dsn consent withdraw: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", append([]string{"consent", "withdraw", "--username", "dr.consent", "--client", ap.id}, store...)...); code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("withdraw twice: %d %q", code, errOut)
	}
	if _, page := signIn(browser(), scope); !consentField.MatchString(page) {
		t.Fatal("withdrawn by the CLI: not asked again")
	}
	// dsn client trust: no page any more; untrust: the page again
	if code, out, errOut := cli(t, "", append([]string{"client", "trust", "--id", ap.id}, store...)...); code != 0 || !strings.Contains(out, "de confiance") {
		t.Fatalf("dsn client trust: %d %s %s", code, out, errOut)
	}
	if res, _ := signIn(browser(), scope); res.StatusCode != 302 {
		t.Fatalf("a client made trusted still asks: %d", res.StatusCode)
	}
	if code, _, errOut := cli(t, "", append([]string{"client", "untrust", "--id", ap.id}, store...)...); code != 0 {
		t.Fatalf("dsn client untrust: %s", errOut)
	}
	if _, page := signIn(browser(), scope); !consentField.MatchString(page) {
		t.Fatal("untrusted: not asked")
	}
	if code, _, errOut := cli(t, "", append([]string{"client", "trust", "--id", "inconnu"}, store...)...); code != 1 || !strings.Contains(errOut, "inconnu") {
		t.Fatalf("trust an unknown client: %d %q", code, errOut)
	}
}
