package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/fhir"
	"dsn/internal/language/words"
	"dsn/synth"
)

// people finds, in a small synthetic population, a patient with a family
// physician, another one, and the id of a youth-protection EpisodeOfCare.
func people(t *testing.T, g *synth.Generator) (gpPatient, gp, stranger, strangerObs, ypPatient, yp string) {
	n := g.Options().Patients
	for i := 0; i < n && gp == ""; i++ {
		pat := g.Person(i).Resources[0]
		if gps, ok := pat["generalPractitioner"].([]any); ok {
			gpPatient = fhir.ID(pat)
			gp = strings.TrimPrefix(gps[0].(map[string]any)["reference"].(string), "Practitioner/")
		}
	}
	for i := 0; i < n; i++ {
		p := g.Person(i)
		id := fhir.ID(p.Resources[0])
		related := false
		for _, r := range p.Resources {
			body := string(fhir.Encode(r))
			related = related || strings.Contains(body, `"Practitioner/`+gp+`"`)
			if fhir.ResourceType(r) == "EpisodeOfCare" && strings.Contains(body, `"code":"R"`) && yp == "" {
				ypPatient, yp = id, fhir.ID(r)
			}
		}
		if stranger == "" && !related && id != gpPatient {
			for _, r := range p.Resources {
				if fhir.ResourceType(r) == "Observation" {
					stranger, strangerObs = id, fhir.ID(r)
					break
				}
			}
		}
	}
	if gp == "" || stranger == "" || strangerObs == "" {
		t.Fatal("the synthetic population lacks a family physician or observations")
	}
	return
}

// TestPolicyEndToEnd: need to know on synthetic data through the real server.
func TestPolicyEndToEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, base, stop := runMain(t, dir)
	defer stop()
	g := synth.New(synth.Options{Seed: 3, Patients: 40})
	if _, err := seedDemo(ctx, m.store, g, io.Discard); err != nil {
		t.Fatal(err)
	}
	gpPatient, gp, stranger, strangerObs, ypPatient, yp := people(t, g)
	mk := func(username string, role access.Role, practitioner, patient string) string {
		u, err := m.auth.CreateUser(ctx, access.NewUser{Username: username, Role: role, Establishment: "org-x", Practitioner: practitioner, Patient: patient})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := userToken(ctx, m.auth, u.Username, "", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	doc := mk("dr.famille", access.RolePhysician, gp, "")
	citizen := mk("citoyen", access.RoleCitizen, "", stranger)
	admin := mk("admin", access.RoleAdmin, "", "")
	as := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	f := base + "/fhir"

	// the family physician reads their patient's record, not a stranger's
	if a := call(t, "GET", f+"/Patient/"+gpPatient+"/$everything", "", as(doc)...); a.status != 200 || len(a.obj["entry"].([]any)) < 2 {
		t.Fatalf("GP's $everything: %d %.300s", a.status, a.raw)
	}
	if a := call(t, "GET", f+"/Observation/"+strangerObs, "", as(doc)...); a.status != 403 || !strings.Contains(string(a.raw), "bris de verre") {
		t.Fatalf("stranger's observation: %d %s", a.status, a.raw)
	}
	a := call(t, "GET", f+"/Observation?subject=Patient/"+stranger, "", as(doc)...)
	if es, _ := a.obj["entry"].([]any); a.status != 200 || len(es) != 0 || a.obj["total"] != nil {
		t.Fatalf("search of a stranger's observations must come back empty: %d %.300s", a.status, a.raw)
	}
	if a := call(t, "GET", f+"/Patient/"+stranger, "", as(doc)...); a.status != 200 {
		t.Fatalf("identification (Patient read): %d", a.status)
	}
	// youth protection: hidden (404), even to the GP, even with break-the-glass
	if yp != "" {
		if a := call(t, "GET", f+"/EpisodeOfCare/"+yp, "", as(doc)...); a.status != 404 {
			t.Fatalf("youth-protection file: %d %s (patient %s)", a.status, a.raw, ypPatient)
		}
	}
	// break-the-glass: a reason is required, then the record opens
	if a := call(t, "POST", f+"/Patient/"+stranger+"/$break-the-glass", `{"resourceType":"Parameters"}`, as(doc)...); a.status != 400 {
		t.Fatalf("break-the-glass without a reason: %d %s", a.status, a.raw)
	}
	btg := `{"resourceType":"Parameters","parameter":[{"name":"reason","valueString":"Patient inconscient à l'urgence, allergies inconnues"}]}`
	if a := call(t, "POST", f+"/Patient/"+stranger+"/$break-the-glass", btg, as(doc)...); a.status != 200 {
		t.Fatalf("break-the-glass: %d %s", a.status, a.raw)
	}
	if a := call(t, "GET", f+"/Observation/"+strangerObs, "", as(doc)...); a.status != 200 {
		t.Fatalf("after break-the-glass: %d %s", a.status, a.raw)
	}
	if a := call(t, "POST", f+"/Patient/"+stranger+"/$break-the-glass", btg, as(admin)...); a.status != 403 {
		t.Fatalf("an administrator breaking the glass: %d", a.status)
	}
	// the citizen: own record yes, others' no (404)
	if a := call(t, "GET", f+"/Observation/"+strangerObs, "", as(citizen)...); a.status != 200 {
		t.Fatalf("citizen's own observation: %d %s", a.status, a.raw)
	}
	if a := call(t, "GET", f+"/Patient/"+gpPatient, "", as(citizen)...); a.status != 404 {
		t.Fatalf("citizen reading another record: %d", a.status)
	}
	if a := call(t, "GET", f+"/Observation?_count=1000", "", as(citizen)...); a.status != 200 {
		t.Fatalf("citizen's search: %d", a.status)
	} else {
		for _, e := range a.obj["entry"].([]any) {
			ref := e.(map[string]any)["resource"].(map[string]any)["subject"].(map[string]any)["reference"]
			if ref != "Patient/"+stranger {
				t.Fatalf("citizen's search returned %v", ref)
			}
		}
	}
	// bulk export and identity operations bypass the guard: systems and archivists only
	if a := call(t, "GET", f+"/$export", "", as(doc)...); a.status != 403 {
		t.Fatalf("a physician's bulk export: %d %s", a.status, a.raw)
	}
	if a := call(t, "POST", f+"/Patient/$mpi-duplicates", `{"resourceType":"Parameters"}`, as(doc)...); a.status != 403 {
		t.Fatalf("a physician's identity operation: %d %s", a.status, a.raw)
	}
	// the administrator sees no clinical data
	if a := call(t, "GET", f+"/Observation/"+strangerObs, "", as(admin)...); a.status != 403 {
		t.Fatalf("administrator: %d", a.status)
	}
	// the journal names the break-the-glass and its reason, the refusals,
	// and what the physician saw under it
	got, err := m.raw.(dsn.Journal).SearchAudit(ctx, dsn.AuditQuery{Patient: stranger, Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var sawBTG, sawDenied, sawReadUnderBTG bool
	for _, e := range got {
		en, _ := audit.Decode(e)
		sawBTG = sawBTG || en.Action == "break-glass" && strings.Contains(en.Reason, "inconscient") && en.Role == "physician"
		sawDenied = sawDenied || en.Action == "denied" && len(en.Denied) == 1 && en.Denied[0] == "Observation/"+strangerObs
		sawReadUnderBTG = sawReadUnderBTG || en.Action == "read" && en.Basis == access.BasisBreakGlass && en.Purpose == "ETREAT"
	}
	if !sawBTG || !sawDenied || !sawReadUnderBTG {
		t.Fatalf("journal of %s: break-glass %v, refusal %v, read under break-glass %v (%d entries)", stranger, sawBTG, sawDenied, sawReadUnderBTG, len(got))
	}

	// a search touching several records leaves one entry naming each
	// (decision 0023); the citizen sees it below, their part only
	if a := call(t, "GET", f+"/Patient?_count=100", ""); a.status != 200 || len(a.obj["entry"].([]any)) < 3 {
		t.Fatalf("system search of every Patient: %d %.300s", a.status, a.raw)
	}
	got, _ = m.raw.(dsn.Journal).SearchAudit(ctx, dsn.AuditQuery{Patient: stranger, Count: 1})
	if en, err := audit.Decode(got[0]); err != nil || len(en.Patients) < 3 || en.Action != "search" {
		t.Fatalf("the search's entry: %+v, %v; want one entry naming every record", en, err)
	}
	searchSeq := strconv.FormatInt(got[0].Seq, 10)
	po := mk("prp", access.RolePrivacyOfficer, "", "")

	// the citizen's view: who consulted my record (person, role, date, what)
	a = call(t, "GET", f+"/AuditEvent?_count=200", "", as(citizen)...)
	if a.status != 200 {
		t.Fatalf("citizen's AuditEvent: %d %s", a.status, a.raw)
	}
	var byDoctor, btgShown, sawSearch bool
	for _, e := range a.obj["entry"].([]any) {
		ev := e.(map[string]any)["resource"].(map[string]any)
		ag := ev["agent"].([]any)[0].(map[string]any)
		if ag["who"].(map[string]any)["reference"] == "Practitioner/"+gp && ag["type"].(map[string]any)["text"] == "physician" && ev["recorded"] != nil {
			byDoctor = true
			if pu, ok := ag["purposeOfUse"].([]any); ok && strings.Contains(pu[0].(map[string]any)["text"].(string), "inconscient") {
				btgShown = true
			}
		}
		if ents, ok := ev["entity"].([]any); ok {
			if ents[0].(map[string]any)["what"].(map[string]any)["reference"] != "Patient/"+stranger {
				t.Fatalf("citizen sees an entry of another record: %v", ents[0])
			}
			for _, x := range ents {
				what, _ := x.(map[string]any)["what"].(map[string]any) // the query's entity has none
				if ref, _ := what["reference"].(string); strings.HasPrefix(ref, "Patient/") && strings.Split(ref, "/")[1] != stranger {
					t.Fatalf("citizen sees another record in entry %v: %s", ev["id"], ref)
				}
			}
		}
		sawSearch = sawSearch || ev["id"] == searchSeq
	}
	if !byDoctor || !btgShown || !sawSearch {
		t.Fatalf("the citizen does not see the physician's access (%v), the break-the-glass reason (%v) or the search (%v): %.500s", byDoctor, btgShown, sawSearch, a.raw)
	}
	a = call(t, "GET", f+"/AuditEvent/"+searchSeq, "", as(citizen)...)
	if a.status != 200 || !strings.Contains(string(a.raw), "Patient/"+stranger) || strings.Count(string(a.raw), `"reference":"Patient/`) != 2 || strings.Count(string(a.raw), `"reference":"Patient/`+stranger) != 2 {
		t.Fatalf("citizen reading the search's entry: %d %s", a.status, a.raw) // their record and its Patient resource
	}
	if a := call(t, "GET", f+"/AuditEvent/"+searchSeq, "", as(po)...); a.status != 200 || strings.Count(string(a.raw), `"reference":"Patient/`) < 6 {
		t.Fatalf("privacy officer reading the search's entry: %d %.400s", a.status, a.raw)
	}
	if a := call(t, "GET", f+"/AuditEvent?patient="+gpPatient, "", as(citizen)...); a.status != 403 {
		t.Fatalf("citizen reading another's journal: %d", a.status)
	}
	// staff see their own trail only; the privacy officer sees everyone's
	a = call(t, "GET", f+"/AuditEvent?_count=500", "", as(doc)...)
	for _, e := range a.obj["entry"].([]any) {
		ag := e.(map[string]any)["resource"].(map[string]any)["agent"].([]any)[0].(map[string]any)
		if !strings.HasPrefix(ag["altId"].(string), "user:") || ag["type"].(map[string]any)["text"] != "physician" {
			t.Fatalf("physician sees another's entry: %v", ag)
		}
	}
	// s. 7: the GP's patient bars their own physician from their observations,
	// through a Consent they write themselves; read, search and $everything obey
	gpCitizen := mk("citoyen2", access.RoleCitizen, "", gpPatient)
	obsOf := func(tok string) (n int) {
		a := call(t, "GET", f+"/Observation?subject=Patient/"+gpPatient+"&_count=500", "", as(tok)...)
		es, _ := a.obj["entry"].([]any)
		return len(es)
	}
	before := obsOf(doc)
	if before == 0 {
		t.Fatal("the GP's patient has no observation")
	}
	consent := `{"resourceType":"Consent","status":"active","scope":{"text":"restriction"},"category":[{"text":"LRSSS art. 7"}],
	 "patient":{"reference":"Patient/` + gpPatient + `"},
	 "provision":{"type":"deny","actor":[{"role":{"text":"intervenant"},"reference":{"reference":"Practitioner/` + gp + `"}}],
	   "class":[{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}]}}`
	if a := call(t, "POST", f+"/Consent", consent, as(gpCitizen)...); a.status != 201 {
		t.Fatalf("citizen's Consent: %d %s", a.status, a.raw)
	}
	if n := obsOf(doc); n != 0 {
		t.Fatalf("after the restriction the GP still finds %d observations", n)
	}
	ev := call(t, "GET", f+"/Patient/"+gpPatient+"/$everything?_count=1000", "", as(doc)...)
	if ev.status != 200 || strings.Contains(string(ev.raw), `"resourceType":"Observation"`) {
		t.Fatalf("$everything after the restriction: %d (observations present: %v)", ev.status, strings.Contains(string(ev.raw), `"Observation"`))
	}
	if obsOf(gpCitizen) != before {
		t.Fatal("the restriction hid the citizen's own observations from them")
	}
	if a := call(t, "POST", f+"/Consent", strings.Replace(consent, gpPatient, stranger, 1), as(gpCitizen)...); a.status != 403 && a.status != 404 {
		t.Fatalf("a citizen restricting another's record: %d", a.status)
	}
	if a := call(t, "GET", f+"/AuditEvent?patient="+stranger, "", as(po)...); a.status != 200 || len(a.obj["entry"].([]any)) < 4 {
		t.Fatalf("privacy officer: %d %.300s", a.status, a.raw)
	}
	a = call(t, "GET", f+"/AuditEvent?action=break-glass", "", as(po)...)
	if es, _ := a.obj["entry"].([]any); a.status != 200 || len(es) != 1 {
		t.Fatalf("privacy officer's break-the-glass list: %d %.300s", a.status, a.raw)
	}
	if a := call(t, "POST", f+"/AuditEvent", `{"resourceType":"AuditEvent"}`); a.status != 405 { // system token: every scope
		t.Fatalf("writing the journal through the API: %d", a.status)
	}
}

// TestDemoAccounts: the demo's physician reads the demo citizen's record on
// a real care relationship (family physician), the citizen reads it too, and
// creating the accounts twice is harmless.
func TestDemoAccounts(t *testing.T) {
	ctx := context.Background()
	m, base, stop := runMain(t, t.TempDir())
	defer stop()
	g := synth.New(synth.Options{Seed: 1, Patients: 30})
	if _, err := seedDemo(ctx, m.store, g, io.Discard); err != nil {
		t.Fatal(err)
	}
	accounts := demoAccounts(g)
	for range 2 {
		if err := ensureDemoAccounts(ctx, m.auth, accounts); err != nil {
			t.Fatal(err)
		}
	}
	patient := accounts[len(accounts)-1].User.Patient
	for _, user := range []string{"dre.demo", "citoyen.demo"} {
		tok, err := userToken(ctx, m.auth, user, "", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		a := call(t, "GET", base+"/fhir/Patient/"+patient+"/$everything", "", "Authorization", "Bearer "+tok)
		if a.status != 200 || len(a.obj["entry"].([]any)) < 3 {
			t.Fatalf("%s reading %s: %d %.200s", user, patient, a.status, a.raw)
		}
	}
	var out strings.Builder
	printDemoAccounts(ctx, &out, words.French, m.auth, accounts, "127.0.0.1:8080", "")
	if !strings.Contains(out.String(), "dre.demo") || !strings.Contains(out.String(), "export TOKEN=ey") || !strings.Contains(out.String(), DemoPassword) {
		t.Fatalf("banner: %s", out.String())
	}
}
