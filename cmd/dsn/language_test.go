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

// withLanguage is a browser whose requests say Accept-Language: h.
type withLanguage struct{ h string }

func (w withLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", w.h)
	return http.DefaultTransport.RoundTrip(r)
}

var htmlLang = regexp.MustCompile(`<html lang="([a-z]+)">`)

// pageLang is the lang attribute of a page; it fails the test if the
// page's words are not of that language.
func pageLang(t *testing.T, name, page string, words map[string][]string) string {
	t.Helper()
	m := htmlLang.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("%s: no <html lang>: %s", name, page)
	}
	for _, w := range words[m[1]] {
		if !strings.Contains(page, w) {
			t.Fatalf("%s in %s: %q missing: %s", name, m[1], w, page)
		}
	}
	return m[1]
}

// TestPageLanguages: the sign-in, patient picker, consent and error pages
// are French by default, English with the cookie of the « English » switch
// or an Accept-Language preferring en, French for fr-CA,en;q=0.8; the
// switch keeps the flow (the consent session answers after it).
func TestPageLanguages(t *testing.T) {
	ctx := context.Background()
	m, base, stop := runMain(t, t.TempDir())
	defer stop()
	const pw = "un mot de passe solide"
	if _, err := m.auth.CreateUser(ctx, access.NewUser{Username: "dr.langue", Name: "Dre Langue", Role: access.RolePhysician,
		Establishment: "e", Practitioner: "pr-lg", Password: pw}); err != nil {
		t.Fatal(err)
	}
	ap := newApp(t, m, base, "launch/patient openid user/Observation.rs patient/*.rs", true)
	ap.t = t
	login := map[string][]string{
		"fr": {"Se connecter</button>", "Nom d'utilisateur", `hreflang="en" lang="en">English</a>`},
		"en": {"Sign in</button>", "Username", `hreflang="fr" lang="fr">Français</a>`}}
	consent := map[string][]string{
		"fr": {"Autoriser l'application ?", ">Autoriser</button>", ">Refuser</button>", "Lire les résultats de laboratoire et signes vitaux de tous les dossiers auxquels vous avez accès", `lang="en">English</button>`},
		"en": {"Allow the app?", ">Allow</button>", ">Deny</button>", "Read the laboratory results and vital signs of every record you have access to", `lang="fr">Français</button>`}}
	picker := map[string][]string{
		"fr": {"Choisir l'usager", "Rechercher</button>", `name="nam"`, `lang="en">English</button>`},
		"en": {"Choose the patient", "Search</button>", `name="nam"`, `lang="fr">Français</button>`}}
	errorPage := map[string][]string{
		"fr": {"Demande d'autorisation refusée : client inconnu"},
		"en": {"Authorization request refused: unknown client or unregistered return address"}}

	get := func(b *http.Client, path string) (*http.Response, string) {
		t.Helper()
		res, err := b.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, html.UnescapeString(string(body))
	}
	baseURL, _ := url.Parse(base)
	for _, tc := range []struct {
		name, accept, cookie, want string
	}{
		{"default", "", "", "fr"},
		{"cookie", "", "en", "en"},
		{"cookie over Accept-Language", "en", "fr", "fr"},
		{"Accept-Language en", "en", "", "en"},
		{"Accept-Language fr-CA,en;q=0.8", "fr-CA,en;q=0.8", "", "fr"},
	} {
		b := browser()
		if tc.accept != "" {
			b.Transport = withLanguage{tc.accept}
		}
		if tc.cookie != "" {
			b.Jar.SetCookies(baseURL, []*http.Cookie{{Name: "dsn_lang", Value: tc.cookie, Path: "/auth"}})
		}
		res, page := get(b, "/auth/authorize?"+ap.authorizeQuery("openid user/Observation.rs").Encode())
		if got := pageLang(t, tc.name+" sign-in", page, login); got != tc.want || res.Header.Get("Content-Language") != tc.want {
			t.Errorf("%s: sign-in page in %s, want %s", tc.name, got, tc.want)
		}
		_, page = ap.signInRaw(b, ap.authorizeQuery("openid user/Observation.rs"), "dr.langue", pw)
		if got := pageLang(t, tc.name+" consent", html.UnescapeString(page), consent); got != tc.want {
			t.Errorf("%s: consent page in %s, want %s", tc.name, got, tc.want)
		}
		_, page = ap.signInRaw(b, ap.authorizeQuery("launch/patient openid patient/*.rs"), "dr.langue", pw)
		if got := pageLang(t, tc.name+" picker", html.UnescapeString(page), picker); got != tc.want {
			t.Errorf("%s: picker page in %s, want %s", tc.name, got, tc.want)
		}
		res, page = get(b, "/auth/authorize?client_id=inconnu&redirect_uri=http://ailleurs/")
		if got := pageLang(t, tc.name+" error", page, errorPage); got != tc.want || res.StatusCode != 400 || res.Header.Get("Content-Language") != tc.want {
			t.Errorf("%s: error page %d in %s, want 400 in %s", tc.name, res.StatusCode, got, tc.want)
		}
	}

	// the « English » link of the sign-in page keeps the request and is remembered
	b := browser()
	_, page := get(b, "/auth/authorize?"+ap.authorizeQuery("openid user/Observation.rs").Encode())
	link := regexp.MustCompile(`<a href="([^"]+)" hreflang="en"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("no English link: %s", page)
	}
	res, page := get(b, link[1])
	if res.StatusCode != 200 || pageLang(t, "switched sign-in", page, login) != "en" || !strings.Contains(page, `name="client_id" value="`+ap.id+`"`) {
		t.Fatalf("after the English link: %d %s", res.StatusCode, page)
	}
	res, page = ap.signInRaw(b, ap.authorizeQuery("openid user/Observation.rs"), "dr.langue", pw)
	page = html.UnescapeString(page)
	if pageLang(t, "remembered consent", page, consent) != "en" {
		t.Fatal("the choice was not remembered")
	}
	// the consent page's « Français » switch shows it again in French, the
	// session kept: Autoriser still answers it
	form := url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]}, "consent": {consentField.FindStringSubmatch(page)[1]}, "lang": {"fr"}}
	res, err := b.PostForm(base+"/auth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page = html.UnescapeString(string(body))
	if res.StatusCode != 200 || pageLang(t, "consent switched", page, consent) != "fr" {
		t.Fatalf("consent switch: %d %s", res.StatusCode, page)
	}
	if res, _ := answerConsent(t, b, base, page, "autoriser"); ap.code(res) == "" {
		t.Fatal("no code after the switch")
	}
	if _, page := get(b, "/auth/authorize?"+ap.authorizeQuery("openid").Encode()); pageLang(t, "back to French", page, login) != "fr" {
		t.Fatal("the switch back to French was not remembered")
	}
	// the picker's « English » switch shows the picker again, its session kept
	q := ap.authorizeQuery("launch/patient openid patient/*.rs")
	_, page = ap.signInRaw(b, q, "dr.langue", pw)
	form = url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]}, "picker": {pickerField.FindStringSubmatch(page)[1]}, "lang": {"en"}}
	for k, v := range q {
		form[k] = v
	}
	res, err = b.PostForm(base+"/auth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	page = html.UnescapeString(string(body))
	if res.StatusCode != 200 || pageLang(t, "picker switched", page, picker) != "en" || !strings.Contains(page, `name="picker" value="`+form.Get("picker")+`"`) {
		t.Fatalf("picker switch: %d %s", res.StatusCode, page)
	}
}
