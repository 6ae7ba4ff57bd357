package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dsn/access"
)

// browserApp is a SMART app whose redirect URI is a real loopback page, so
// that the browser lands on it after the flow and the test reads what it got.
type browserApp struct {
	*app
	got chan url.Values // the query of each request to the redirect URI
}

func newBrowserApp(t *testing.T, m *Main, base, scope string) *browserApp {
	t.Helper()
	got := make(chan url.Values, 4)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Application : retour reçu"))
	}))
	t.Cleanup(cb.Close)
	c, _, err := m.auth.CreateClient(context.Background(), "Appli navigateur", scope, []string{cb.URL + "/retour"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return &browserApp{app: &app{t: t, base: base, id: c.ID, cb: cb.URL + "/retour"}, got: got}
}

// landed waits for the browser to reach the redirect URI and returns its query.
func (a *browserApp) landed(ctx context.Context) url.Values {
	a.t.Helper()
	select {
	case q := <-a.got:
		return q
	case <-ctx.Done():
		a.t.Fatal("the browser never reached the app's redirect URI")
		return nil
	}
}

// nothingLanded fails if the app's redirect URI was reached.
func (a *browserApp) nothingLanded() {
	a.t.Helper()
	select {
	case q := <-a.got:
		a.t.Fatalf("the app received %v", q)
	default:
	}
}

// pageText is the visible text of the current page.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatalf("browser: read the page: %v", err)
	}
	return s
}

// signInAndPick goes through the French sign-in page and the patient picker
// as a user does, and stops on the consent page.
func signInAndPick(t *testing.T, ctx context.Context, ap *browserApp, username, password, family, patient string) {
	t.Helper()
	q := ap.authorizeQuery("launch/patient openid fhirUser patient/*.rs")
	q.Set("state", "etat-navigateur")
	act(t, ctx, "open /auth/authorize", chromedp.Navigate(ap.base+"/auth/authorize?"+q.Encode()),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
	if s := pageText(t, ctx); !strings.Contains(s, "Appli navigateur") {
		t.Fatalf("sign-in page: %s", s)
	}
	act(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="nom"]`)))
	if s := pageText(t, ctx); !strings.Contains(s, "Choisir l'usager") {
		t.Fatalf("picker page: %s", s)
	}
	choose := `//input[@name="patient"][@value="` + patient + `"]/following-sibling::button`
	act(t, ctx, "search and choose the patient",
		chromedp.SendKeys(chromedp.CSS(`input[name="nom"]`), family),
		chromedp.Click(chromedp.CSS(`form[role="search"] button`)),
		chromedp.WaitVisible(chromedp.Search(choose)),
		chromedp.Click(chromedp.Search(choose)),
		chromedp.WaitVisible(chromedp.CSS(`button[value="autoriser"]`)))
	if s := pageText(t, ctx); !strings.Contains(s, "Autoriser l'application") || !strings.Contains(s, "Appli navigateur") ||
		!strings.Contains(s, "du dossier de l'usager choisi") {
		t.Fatalf("consent page: %s", s)
	}
}

// TestBrowserAuthorizationCode: the SMART authorization code flow (PKCE,
// standalone launch/patient) in a real headless Chromium: typing in the
// sign-in page, searching and choosing in the picker, clicking « Autoriser »
// or « Refuser » on the consent page (RFC 6749 §4.1.2, §4.1.2.1), a trusted
// client's sign-in sent straight to the app, and a forged or missing CSRF
// field refused with the French page and no code.
func TestBrowserAuthorizationCode(t *testing.T) {
	chromiumPath(t) // skip (or fail under CI=true) before starting anything
	ctx := context.Background()
	chrome := newBrowser(t)
	m, base, stop := runMain(t, t.TempDir())
	defer stop()
	const pw = "un mot de passe solide"
	if _, err := m.auth.CreateUser(ctx, access.NewUser{Username: "dr.navigateur", Name: "Dre Navigateur", Role: access.RolePhysician,
		Establishment: "e", Practitioner: "pr-nav", Password: pw}); err != nil {
		t.Fatal(err)
	}
	_, writer := clientToken(t, m, "chargement", "system/*.cruds", "", nil)
	for _, p := range []struct{ path, body string }{
		{"Patient/pat-nav", patientJSON("pat-nav", "Hélène", "Bouchard", "BOUH81050512", "1981-05-05", "")},
		{"Encounter/enc-nav", `{"resourceType":"Encounter","id":"enc-nav","status":"in-progress","class":{"code":"AMB"},"subject":{"reference":"Patient/pat-nav"},"participant":[{"individual":{"reference":"Practitioner/pr-nav"}}]}`},
	} {
		if a := call(t, "PUT", base+"/fhir/"+p.path, p.body, "Authorization", "Bearer "+writer); a.status != 201 && a.status != 200 {
			t.Fatalf("PUT %s: %d %s", p.path, a.status, a.raw)
		}
	}
	const scope = "launch/patient openid fhirUser patient/*.rs"

	t.Run("Autoriser", func(t *testing.T) {
		tab := newTab(t, chrome)
		ap := newBrowserApp(t, m, base, scope)
		signInAndPick(t, tab, ap, "dr.navigateur", pw, "Bouchard", "pat-nav")
		act(t, tab, "click Autoriser", chromedp.Click(chromedp.CSS(`button[value="autoriser"]`)))
		got := ap.landed(tab)
		if got.Get("code") == "" || got.Get("state") != "etat-navigateur" || got.Get("error") != "" {
			t.Fatalf("redirect to the app: %v", got)
		}
		st, tok := ap.post("/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {got.Get("code")},
			"redirect_uri": {ap.cb}, "code_verifier": {testVerifier}})
		if st != 200 || tok["patient"] != "pat-nav" {
			t.Fatalf("code exchange: %d %v", st, tok)
		}
		if a := call(t, "GET", base+"/fhir/Patient/pat-nav", "", "Authorization", "Bearer "+tok["access_token"].(string)); a.status != 200 || a.obj["id"] != "pat-nav" {
			t.Fatalf("reading the chosen patient with the app's token: %d %s", a.status, a.raw)
		}
	})

	t.Run("Refuser", func(t *testing.T) {
		tab := newTab(t, chrome)
		ap := newBrowserApp(t, m, base, scope)
		signInAndPick(t, tab, ap, "dr.navigateur", pw, "Bouchard", "pat-nav")
		act(t, tab, "click Refuser", chromedp.Click(chromedp.CSS(`button[value="refuser"]`)))
		got := ap.landed(tab)
		if got.Get("error") != "access_denied" || got.Get("state") != "etat-navigateur" || got.Get("code") != "" {
			t.Fatalf("refusal sent to the app: %v", got)
		}
	})

	// a trusted client: no picker nor consent, so the sign-in form itself is
	// redirected to the app (the sign-in page's form-action)
	t.Run("Confiance", func(t *testing.T) {
		tab := newTab(t, chrome)
		ap := newBrowserApp(t, m, base, "openid fhirUser user/*.rs")
		if _, err := m.auth.SetClientTrusted(ctx, ap.id, true); err != nil {
			t.Fatal(err)
		}
		act(t, tab, "sign in", chromedp.Navigate(base+"/auth/authorize?"+ap.authorizeQuery("openid fhirUser user/*.rs").Encode()),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "dr.navigateur"),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), pw),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
		got := ap.landed(tab)
		st, tok := ap.post("/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {got.Get("code")},
			"redirect_uri": {ap.cb}, "code_verifier": {testVerifier}})
		if got.Get("state") != "etat" || st != 200 || tok["access_token"] == nil {
			t.Fatalf("trusted client: %v, exchange %d %v", got, st, tok)
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		refused := func(t *testing.T, tab context.Context, ap *browserApp) {
			t.Helper()
			loc, err := chromedp.Run(tab, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			if s := pageText(t, tab); !strings.Contains(s, "Requête refusée") || !strings.Contains(s, "jeton anti-falsification (CSRF)") ||
				loc != base+"/auth/authorize" {
				t.Fatalf("forged form: at %s: %s", loc, s)
			}
			ap.nothingLanded()
		}
		// a forged field on the sign-in page
		tab := newTab(t, chrome)
		ap := newBrowserApp(t, m, base, scope)
		q := ap.authorizeQuery(scope)
		act(t, tab, "forge the sign-in form", chromedp.Navigate(base+"/auth/authorize?"+q.Encode()),
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SetAttributeValue(chromedp.CSS(`input[name="csrf"]`), "value", "forge"),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "dr.navigateur"),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), pw),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`input[name="username"]`)))
		refused(t, tab, ap)
		// no field at all on the consent page
		tab = newTab(t, chrome)
		signInAndPick(t, tab, ap, "dr.navigateur", pw, "Bouchard", "pat-nav")
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('input[name="csrf"]').remove(), true`)); err != nil {
			t.Fatalf("remove the consent form's CSRF field: %v", err)
		}
		act(t, tab, "submit the consent form without it",
			chromedp.Click(chromedp.CSS(`button[value="autoriser"]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`button[value="autoriser"]`)))
		refused(t, tab, ap)
	})
}
