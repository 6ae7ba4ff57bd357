package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/mpi"
)

// TestSMARTLaunch: SMART App Launch 2 over HTTP, on SQLite and PostgreSQL.
// EHR launch: POST /auth/launch by a clinician makes an opaque launch value
// that /authorize (scope launch) turns into the patient and encounter of the
// token response and the token. Standalone launch/patient: after sign-in, the
// French picker page searches patients by name, NAM and birth date, lists
// only the ones the user may see under the policy (journaled), and the
// choice becomes the token's patient; its forms are CSRF protected.
func TestSMARTLaunch(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			sc := freshStore(t, kind)
			s := startOn(t, sc)
			testLaunch(t, s.m, strings.TrimSuffix(s.base, "/fhir"))
		})
	}
}

func patientJSON(id, given, family, nam, birth, extra string) string {
	return `{"resourceType":"Patient","id":"` + id + `",` + extra + `"name":[{"family":"` + family + `","given":["` + given + `"]}],` +
		`"identifier":[{"system":"` + mpi.NAMSystem + `","value":"` + nam + `"}],"gender":"female","birthDate":"` + birth + `"}`
}

var (
	pickedIDs   = regexp.MustCompile(`name="patient" value="([^"]+)"`)
	pickerField = regexp.MustCompile(`name="picker" value="([^"]+)"`)
)

func testLaunch(t *testing.T, m *Main, base string) {
	ctx := context.Background()
	f := base + "/fhir"
	_, cpej := clientToken(t, m, "dpj", "system/*.cruds", "", []string{"CPEJ"}) // writes the youth protection file too
	for _, p := range []struct{ path, body string }{
		{"Patient/pat-a", patientJSON("pat-a", "Marie", "Tremblay", "TREM80010112", "1980-01-01", "")},
		{"Patient/pat-b", patientJSON("pat-b", "Jeanne", "Tremblay", "TREJ75020212", "1975-02-02", "")},
		{"Patient/pat-c", patientJSON("pat-c", "Julie", "Gagnon", "GAGJ90030312", "1990-03-03", "")},
		// youth protection: hidden from a clinician without the CPEJ mission
		{"Patient/pat-dpj", patientJSON("pat-dpj", "Léa", "Tremblay", "TREL10040412", "2010-04-04",
			`"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]},`)},
		{"Encounter/enc-a", `{"resourceType":"Encounter","id":"enc-a","status":"in-progress","class":{"code":"AMB"},"subject":{"reference":"Patient/pat-a"},"participant":[{"individual":{"reference":"Practitioner/pr-l"}}]}`},
		{"Encounter/enc-c", `{"resourceType":"Encounter","id":"enc-c","status":"in-progress","class":{"code":"AMB"},"subject":{"reference":"Patient/pat-c"},"participant":[{"individual":{"reference":"Practitioner/pr-l"}}]}`},
	} {
		if a := call(t, "PUT", f+"/"+p.path, p.body, "Authorization", "Bearer "+cpej); a.status != 201 && a.status != 200 {
			t.Fatalf("PUT %s: %d %s", p.path, a.status, a.raw)
		}
	}
	for _, u := range []access.NewUser{
		{Username: "dr.lanceur", Name: "Dre Lanceur", Role: access.RolePhysician, Establishment: "e", Practitioner: "pr-l", Password: "un mot de passe solide"},
		{Username: "dr.autre", Role: access.RolePhysician, Establishment: "e", Practitioner: "pr-o", Password: "un mot de passe solide"},
		{Username: "marie", Role: access.RoleCitizen, Patient: "pat-a", Password: "un mot de passe solide"},
	} {
		if _, err := m.auth.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	const pw = "un mot de passe solide"
	ap := newApp(t, m, base, "launch launch/patient openid fhirUser offline_access user/*.rs patient/*.rs", true)
	drTok, err := userToken(ctx, m.auth, "dr.lanceur", "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	citTok, _ := userToken(ctx, m.auth, "marie", "", time.Hour)
	postLaunch := func(tok, body string) answer {
		return call(t, "POST", base+"/auth/launch", body, "Authorization", "Bearer "+tok, "Content-Type", "application/json")
	}

	// --- EHR launch ---
	for _, c := range []struct {
		tok, body string
		status    int
	}{
		{"", `{"patient":"pat-a"}`, 401},
		{drTok, `{}`, 400},
		{drTok, `{"patient":"pat-a"`, 400},
		{drTok, `{"patient":"../x"}`, 400},
		{drTok, `{"patient":"inconnu"}`, 404},
		{drTok, `{"patient":"pat-dpj"}`, 404},                   // hidden by the policy
		{drTok, `{"patient":"pat-a","encounter":"enc-c"}`, 400}, // another patient's encounter
		{citTok, `{"patient":"pat-a"}`, 403},
	} {
		if a := postLaunch(c.tok, c.body); a.status != c.status || a.obj["error"] == nil {
			t.Fatalf("POST /auth/launch %s: %d %s, want %d", c.body, a.status, a.raw, c.status)
		}
	}
	la := postLaunch(drTok, `{"patient":"Patient/pat-a","encounter":"enc-a"}`)
	launch, _ := la.obj["launch"].(string)
	if la.status != 200 || len(launch) < 40 || la.obj["patient"] != "pat-a" {
		t.Fatalf("POST /auth/launch: %d %s", la.status, la.raw)
	}
	const ehrScope = "launch openid fhirUser offline_access user/*.rs"
	// launch without its scope, the scope without launch, an unknown launch: errors sent to the app
	for _, q := range []url.Values{
		ap.authorizeQuery("openid user/*.rs", "launch", launch),
		ap.authorizeQuery(ehrScope),
		ap.authorizeQuery(ehrScope, "launch", "inconnu"),
	} {
		res, err := browser().Get(base + "/auth/authorize?" + q.Encode())
		if err != nil || res.StatusCode != 302 || !strings.Contains(res.Header.Get("Location"), "error=invalid_") {
			t.Fatalf("authorize %v: %d %s", q, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// another user cannot take a launch made for dr.lanceur (and it is spent)
	other := postLaunch(drTok, `{"patient":"pat-a"}`)
	res, _ := ap.signIn(browser(), ap.authorizeQuery(ehrScope, "launch", other.obj["launch"].(string)), "dr.autre", pw)
	if loc := res.Header.Get("Location"); res.StatusCode != 302 || !strings.Contains(loc, "error=access_denied") {
		t.Fatalf("launch taken by another user: %d %s", res.StatusCode, loc)
	}
	tr := ap.tokens("dr.lanceur", pw, ehrScope, "launch", launch)
	if tr["patient"] != "pat-a" || tr["encounter"] != "enc-a" {
		t.Fatalf("EHR launch token response: %v", tr)
	}
	at := tr["access_token"].(string)
	if jwtClaim(t, at, "patient") != "pat-a" || jwtClaim(t, at, "encounter") != "enc-a" {
		t.Fatalf("EHR launch token claims: %s", at)
	}
	// the context survives a refresh
	if st, rf := ap.refresh(tr["refresh_token"].(string)); st != 200 || rf["patient"] != "pat-a" || rf["encounter"] != "enc-a" {
		t.Fatalf("refresh of a launch: %d %v", st, rf)
	}
	if res, _ := browser().Get(base + "/auth/authorize?" + ap.authorizeQuery(ehrScope, "launch", launch).Encode()); res.StatusCode != 302 ||
		!strings.Contains(res.Header.Get("Location"), "error=invalid_request") {
		t.Fatalf("launch used twice: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if !journaled(t, m, "launch", "pat-a", "user:") {
		t.Fatal("no journal entry of the EHR launch naming the patient")
	}

	// --- standalone launch with the patient picker ---
	const sScope = "launch/patient openid patient/*.rs"
	b := browser()
	q := ap.authorizeQuery(sScope)
	res, page := ap.signIn(b, q, "dr.lanceur", pw)
	if res.StatusCode != 200 || !strings.Contains(page, "Choisir l'usager") || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("picker page: %d %s", res.StatusCode, page)
	}
	// pick posts a form of the current page (its CSRF and session fields)
	pick := func(b *http.Client, page string, fields ...string) (*http.Response, string) {
		t.Helper()
		form := url.Values{}
		for k, v := range q {
			form[k] = v
		}
		if m := csrfField.FindStringSubmatch(page); m != nil {
			form.Set("csrf", m[1])
		}
		if m := pickerField.FindStringSubmatch(page); m != nil {
			form.Set("picker", m[1])
		}
		for i := 0; i+1 < len(fields); i += 2 {
			form.Set(fields[i], fields[i+1])
		}
		res, err := b.PostForm(base+"/auth/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(body)
	}
	listed := func(page string) string {
		var ids []string
		for _, m := range pickedIDs.FindAllStringSubmatch(page, -1) {
			ids = append(ids, m[1])
		}
		return strings.Join(ids, ",")
	}
	for _, c := range []struct{ name, nam, birth, want string }{
		{"Tremblay", "", "", "pat-a,pat-b"}, // pat-dpj is hidden by the policy
		{"", "TREJ 7502 0212", "", "pat-b"},
		{"Tremblay", "", "1980-01-01", "pat-a"},
		{"", "", "1990-03-03", "pat-c"},
		{"Inexistant", "", "", ""},
	} {
		res, p := pick(b, page, "action", "chercher", "nom", c.name, "nam", c.nam, "naissance", c.birth)
		if res.StatusCode != 200 || listed(p) != c.want {
			t.Fatalf("search %+v: %d listed %q, want %q", c, res.StatusCode, listed(p), c.want)
		}
		page = p
	}
	if !journaled(t, m, "search", "pat-b", "user:") {
		t.Fatal("the picker's search is not journaled")
	}
	for _, c := range []struct{ name, nam, birth, msg string }{
		{"", "", "", "au moins un critère"},
		{"", "ABC123", "", "NAM invalide"},
		{"", "", "1980-13-45", "Date de naissance invalide"},
	} {
		res, p := pick(b, page, "action", "chercher", "nom", c.name, "nam", c.nam, "naissance", c.birth)
		if res.StatusCode != 400 || !strings.Contains(p, c.msg) {
			t.Fatalf("bad search %+v: %d %s", c, res.StatusCode, p)
		}
		page = p
	}
	// CSRF: a forged field, a cross-site POST and a browser without the cookie are refused
	if res, _ := pick(b, page, "action", "choisir", "patient", "pat-a", "csrf", "forged"); res.StatusCode != 403 {
		t.Fatalf("forged CSRF: %d", res.StatusCode)
	}
	if res, _ := pick(browser(), page, "action", "choisir", "patient", "pat-a"); res.StatusCode != 403 {
		t.Fatalf("picker form without the cookie: %d", res.StatusCode)
	}
	// a patient the user may not see cannot be chosen by forging the form
	res, page = pick(b, page, "action", "choisir", "patient", "pat-dpj")
	if res.StatusCode != 403 || !strings.Contains(page, "y avez pas accès") || res.Header.Get("Location") != "" {
		t.Fatalf("choose a hidden patient: %d %s", res.StatusCode, page)
	}
	res, cpage := pick(b, page, "action", "choisir", "patient", "pat-b")
	res, _ = passConsent(t, b, base, res, cpage)   // then the consent page (consent_test.go)
	csrf := csrfField.FindStringSubmatch(cpage)[1] // the consent page's, now in the cookie
	st, tr2 := ap.post("/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {ap.code(res)},
		"redirect_uri": {ap.cb}, "code_verifier": {testVerifier}})
	if st != 200 || tr2["patient"] != "pat-b" || jwtClaim(t, tr2["access_token"].(string), "patient") != "pat-b" {
		t.Fatalf("standalone launch token: %d %v", st, tr2)
	}
	// the token is confined to the chosen patient (patient/ scopes)
	pt := tr2["access_token"].(string)
	if a := call(t, "GET", f+"/Patient/pat-b", "", "Authorization", "Bearer "+pt); a.status != 200 {
		t.Fatalf("chosen patient: %d", a.status)
	}
	if a := call(t, "GET", f+"/Patient/pat-a", "", "Authorization", "Bearer "+pt); a.status != 404 {
		t.Fatalf("another patient with the launch token: %d", a.status)
	}
	if !journaled(t, m, "launch", "pat-b", "user:") {
		t.Fatal("no journal entry of the standalone launch naming the patient")
	}
	// the launch's entry names who, with role and establishment (the citizen's view)
	es, _ := m.raw.(dsn.Journal).SearchAudit(ctx, dsn.AuditQuery{Patient: "pat-b", Action: "launch", Count: 5})
	var le audit.Entry
	if len(es) == 0 || json.Unmarshal(es[0].Body, &le) != nil || le.Name != "Dre Lanceur" || le.Role != "physician" || le.Establishment != "e" {
		t.Fatalf("launch entry: %+v", le)
	}
	// the session ended with the choice
	if res, _ := pick(b, page, "action", "choisir", "patient", "pat-a", "csrf", csrf); res.StatusCode != 400 {
		t.Fatalf("picker session reused: %d", res.StatusCode)
	}
	// a citizen's launch/patient is their own record, without a picker
	tc := ap.tokens("marie", pw, sScope, "realm", "citizen")
	if tc["patient"] != "pat-a" {
		t.Fatalf("citizen standalone launch: %v", tc)
	}
}

// journaled tells whether the journal holds an entry of action on patient
// by an agent starting with agent.
func journaled(t *testing.T, m *Main, action, patient, agent string) bool {
	t.Helper()
	es, err := m.raw.(dsn.Journal).SearchAudit(context.Background(), dsn.AuditQuery{Patient: patient, Action: action, Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		var x audit.Entry
		if json.Unmarshal(e.Body, &x) == nil && strings.HasPrefix(x.Agent, agent) {
			return true
		}
	}
	return false
}
