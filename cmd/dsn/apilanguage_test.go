package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dsn/access"
	"dsn/mpi"
	"dsn/synth"
)

// TestAPILanguages: the JSON errors of the authorisation server
// (error_description, RFC 6749 §5.2) and the OperationOutcomes of the FHIR
// API's access control, search parameter, validation and operation input
// errors ($match, $validate, $export), repo's version conflicts and
// conditional operations' refusals, JSON Patch errors, $everything's errors and warnings, $merge's refusals and outcome, a write's NAM hints, a bad logical id, an unknown type, a refused _format, a batch search entry's warnings, the CapabilityStatement's texts, $match's explanations, the batch and transaction Bundle rules
// and a bulk job's acceptance and $export's parameters, a delete's and a write's outcome (Prefer:
// return=OperationOutcome) are French by default and for fr-CA,en;q=0.8,
// English with Accept-Language: en, named by Content-Language; the status,
// the OAuth error code and the issue code do not change with the language.
func TestAPILanguages(t *testing.T) {
	ctx := context.Background()
	m, base, stop := runMain(t, t.TempDir())
	defer stop()
	g := synth.New(synth.Options{Seed: 3, Patients: 40})
	if _, err := seedDemo(ctx, m.store, g, io.Discard); err != nil {
		t.Fatal(err)
	}
	gpPatient, gp, stranger, strangerObs, _, _ := people(t, g)
	var goneID string
	mk := func(username string, role access.Role, practitioner, patient string) string {
		u, err := m.auth.CreateUser(ctx, access.NewUser{Username: username, Role: role, Establishment: "org-x", Practitioner: practitioner, Patient: patient})
		if err != nil {
			t.Fatal(err)
		}
		goneID = u.ID
		tok, err := userToken(ctx, m.auth, u.Username, "", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	doc := mk("dr.langues", access.RolePhysician, gp, "")
	admin := mk("admin.langues", access.RoleAdmin, "", "")
	researcher := mk("chercheur.langues", access.RoleResearcher, "", "")
	citizen := mk("citoyen.langues", access.RoleCitizen, "", stranger)
	gone := mk("parti.langues", access.RoleNurse, "", "")
	if _, err := m.auth.DisableUser(ctx, goneID); err != nil {
		t.Fatal(err)
	}
	c, secret, err := m.auth.CreateClient(ctx, "Langues", "system/*.rs", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	f := base + "/fhir"

	type answerCase struct {
		name, method, url, body string
		hdr                     []string
		status                  int
		code                    string // issue code, or OAuth error
		fr, en                  string // in the message
	}
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	basic := func(id, secret string) []string {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(id, secret)
		return []string{"Authorization", r.Header.Get("Authorization"), "Content-Type", "application/x-www-form-urlencoded"}
	}
	cases := []answerCase{
		{"no token", "GET", f + "/Practitioner", "", []string{"Authorization", ""}, 401, "login",
			"authentification requise", "authentication required"},
		{"bad token", "GET", f + "/Practitioner", "", bearer("a.b.c"), 401, "login",
			"jeton d'accès invalide: format", "invalid access token: format"},
		{"disabled account", "GET", f + "/Practitioner", "", bearer(gone), 401, "login",
			"compte désactivé: ses jetons ne sont plus acceptés", "account disabled: its tokens are no longer accepted"},
		{"scope", "GET", f + "/Observation/" + strangerObs, "", bearer(admin), 403, "forbidden",
			"portée insuffisante: read sur Observation", "insufficient scope: read on Observation"},
		{"no relationship", "GET", f + "/Observation/" + strangerObs, "", bearer(doc), 403, "forbidden",
			"aucun lien de soins avec cet usager: bris de verre requis", "no care relationship with this patient: break-the-glass required"},
		{"another's record", "GET", f + "/Patient/" + gpPatient, "", bearer(citizen), 404, "not-found",
			"ressource introuvable: Patient/" + gpPatient, "resource not found: Patient/" + gpPatient},
		{"another's journal", "GET", f + "/AuditEvent?patient=" + gpPatient, "", bearer(citizen), 403, "forbidden",
			"que le journal de votre propre dossier", "only consult the journal of your own record"},
		{"journal parameter", "GET", f + "/AuditEvent?foo=1", "", bearer(citizen), 400, "invalid",
			"paramètre de recherche AuditEvent non pris en charge: foo", "AuditEvent search parameter not supported: foo"},
		{"journal entry", "GET", f + "/AuditEvent/999999", "", bearer(citizen), 404, "not-found",
			"AuditEvent/999999 n'existe pas", "AuditEvent/999999 does not exist"},
		{"journal append-only", "DELETE", f + "/AuditEvent/1", "", bearer(doc), 405, "not-supported",
			"le journal des accès est en ajout seul", "the access journal is append-only"},
		{"break-the-glass reason", "POST", f + "/Patient/" + stranger + "/$break-the-glass", `{"resourceType":"Parameters"}`, bearer(doc), 400, "invalid",
			"le motif du bris de verre est obligatoire", "a break-the-glass reason is required"},
		{"break-the-glass role", "POST", f + "/Patient/" + stranger + "/$break-the-glass",
			`{"resourceType":"Parameters","parameter":[{"name":"reason","valueString":"urgence, patient inconscient"}]}`, bearer(researcher), 403, "forbidden",
			"le rôle Chercheur ne permet pas le bris de verre", "the role Researcher may not break the glass"},
		{"search parameters", "GET", f + "/Practitioner?foo=1&_lastUpdated=hier", "", append(bearer(doc), "Prefer", "handling=strict"), 400, "invalid",
			"paramètres de recherche refusés: _lastUpdated: date mal formée \"hier\": attendu AAAA[-MM[-JJ[Thh:mm[:ss][Z|±hh:mm]]]]; paramètre de recherche inconnu pour Practitioner: foo",
			"search parameters refused: _lastUpdated: malformed date \"hier\": expected YYYY[-MM[-DD[Thh:mm[:ss][Z|±hh:mm]]]]; unknown search parameter for Practitioner: foo"},
		{"validation", "POST", f + "/Practitioner", `{"resourceType":"Practitioner","gender":3}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 400, "invalid",
			"ressource non conforme à FHIR R4 : une chaîne JSON est attendue (type code) (Practitioner.gender)",
			"resource not valid against FHIR R4: a JSON string is expected (type code) (Practitioner.gender)"},
		{"not JSON", "POST", f + "/Practitioner", `{"resourceType":"Practitioner",}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 400, "structure",
			"le corps n'est pas du JSON valide: nom de propriété attendu (octet 31)", "the body is not valid JSON: a property name expected (byte 31)"},
		{"$match input", "POST", f + "/Patient/$match", `{"resourceType":"Parameters"}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 400, "invalid",
			"le paramètre « resource » (un Patient) est obligatoire", "the parameter “resource” (a Patient) is required"},
		{"$validate", "POST", f + "/Practitioner/$validate", `{"resourceType":"Practitioner","gender":3}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 200, "structure",
			"une chaîne JSON est attendue (type code)", "a JSON string is expected (type code)"},
		{"$export without respond-async", "GET", f + "/$export", "", bearer(systemToken(t, m)), 400, "invalid",
			"$export est asynchrone : envoyez l'en-tête Prefer: respond-async", "$export is asynchronous: send the header Prefer: respond-async"},
		{"$export accepted", "GET", f + "/$export?_type=Practitioner", "", append(bearer(systemToken(t, m)), "Prefer", "respond-async"), 202, "informational",
			"export accepté : suivre l'URL de Content-Location", "export accepted: follow the Content-Location URL"},
		{"$export _type", "GET", f + "/$export?_type=Licorne", "", append(bearer(systemToken(t, m)), "Prefer", "respond-async"), 400, "invalid",
			"_type: type de ressource inconnu: \"Licorne\"", "_type: unknown resource type: \"Licorne\""},
		{"If-Match", "PUT", f + "/Practitioner/" + gp, `{"resourceType":"Practitioner","id":"` + gp + `"}`, append(bearer(doc), "Content-Type", "application/fhir+json", "If-Match", `W/"999"`), 412, "conflict",
			"If-Match: version 999 attendue, la version courante est", "If-Match: version 999 expected, the current version is"},
		{"conditional update, several matches", "PUT", f + "/Practitioner?_lastUpdated=ge2000-01-01", `{"resourceType":"Practitioner"}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 412, "conflict",
			"désignent plusieurs ressources Practitioner", "match several Practitioner resources"},
		{"conditional patch, no match", "PATCH", f + "/Practitioner?_id=personne", `[{"op":"add","path":"/active","value":true}]`, append(bearer(doc), "Content-Type", "application/json-patch+json"), 404, "not-found",
			"aucune ressource Practitioner ne correspond aux critères", "no Practitioner resource matches the criteria"},
		{"transaction, one resource twice", "POST", f, `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Practitioner/x1"}},{"request":{"method":"DELETE","url":"Practitioner/x1"}}]}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 400, "invalid",
			"entrée 1 (DELETE Practitioner/x1): les entrées 0 et 1 visent la même ressource Practitioner/x1", "entry 1 (DELETE Practitioner/x1): the entries 0 and 1 target the same resource Practitioner/x1"},
		{"transaction, vread", "POST", f, `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"GET","url":"Practitioner/` + gp + `/_history/1"}}]}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 400, "invalid",
			"vread et historique ne sont pas pris en charge dans une transaction", "vread and history are not supported in a transaction"},
		{"delete, nothing to delete", "DELETE", f + "/Practitioner/personne", "", append(bearer(doc), "Prefer", "return=OperationOutcome"), 200, "informational",
			"rien à supprimer", "nothing to delete"},
		{"patch, return=OperationOutcome", "PATCH", f + "/Practitioner/" + gp, `[{"op":"add","path":"/active","value":true}]`, append(bearer(doc), "Content-Type", "application/json-patch+json", "Prefer", "return=OperationOutcome"), 200, "informational",
			"ressource modifiée", "resource patched"},
		{"patch, no such path", "PATCH", f + "/Practitioner/" + gp, `[{"op":"remove","path":"/nope"}]`, append(bearer(doc), "Content-Type", "application/json-patch+json"), 422, "processing",
			"opération 0 (remove /nope): chemin absent \"/nope\"", "operation 0 (remove /nope): no such path \"/nope\""},
		{"patch, unreadable document", "PATCH", f + "/Practitioner/" + gp, `{"op":"add"}`, append(bearer(doc), "Content-Type", "application/json-patch+json"), 400, "invalid",
			"document JSON Patch illisible (RFC 6902 §3)", "unreadable JSON Patch document (RFC 6902 §3)"},
		{"patch, not a JSON Patch", "PATCH", f + "/Practitioner/" + gp, `[]`, append(bearer(doc), "Content-Type", "application/fhir+json"), 415, "not-supported",
			"PATCH attend un JSON Patch", "PATCH expects a JSON Patch"},
		{"Content-Type", "PATCH", f + "/Practitioner/" + gp, `[]`, append(bearer(doc), "Content-Type", "application/merge-patch+json"), 415, "not-supported",
			"Content-Type \"application/merge-patch+json\" non pris en charge", "Content-Type \"application/merge-patch+json\" not supported"},
		{"$everything _count", "GET", f + "/Patient/" + gpPatient + "/$everything?_count=0", "", bearer(doc), 400, "invalid",
			"_count doit être un entier positif: \"0\"", "_count must be a positive integer: \"0\""},
		{"$merge, a patient with itself", "POST", f + "/Patient/$merge", `{"resourceType":"Parameters","parameter":[{"name":"source-patient","valueReference":{"reference":"Patient/` + stranger + `"}},{"name":"target-patient","valueReference":{"reference":"Patient/` + stranger + `"}}]}`, append(bearer(systemToken(t, m)), "Content-Type", "application/fhir+json"), 422, "business-rule",
			"un patient ne peut pas être fusionné avec lui-même", "a patient cannot be merged with itself"},
		{"logical id", "DELETE", f + "/Practitioner/a_b", "", bearer(systemToken(t, m)), 400, "invalid",
			"identifiant logique invalide: \"a_b\"", "invalid logical id: \"a_b\""},
		{"unknown type", "GET", f + "/Licorne/1", "", bearer(doc), 404, "not-found",
			"type de ressource inconnu: \"Licorne\"", "unknown resource type: \"Licorne\""},
		{"_format", "GET", f + "/Practitioner?_format=xml", "", bearer(doc), 415, "not-supported",
			"_format \"xml\" non pris en charge", "_format \"xml\" not supported"},
		{"compartment of no patient", "GET", f + "/Patient/personne/Observation", "", bearer(systemToken(t, m)), 404, "not-found",
			"le patient personne n'existe pas", "the patient personne does not exist"},
		{"unknown import job", "GET", f + "/$import-status?_jobId=personne", "", bearer(systemToken(t, m)), 404, "not-found",
			"import \"personne\" introuvable", "import \"personne\" not found"},
		{"pagination cursor", "GET", f + "/Practitioner?_cursor=zzz", "", bearer(doc), 400, "invalid",
			"curseur de pagination invalide", "invalid pagination cursor"},
		{"history cursor", "GET", f + "/Practitioner/_history?_cursor=zzz", "", bearer(doc), 400, "invalid",
			"curseur de pagination invalide", "invalid pagination cursor"},
		{"$validate, delete of nothing", "POST", f + "/Practitioner/personne/$validate?mode=delete", `{"resourceType":"Parameters"}`, append(bearer(doc), "Content-Type", "application/fhir+json"), 200, "not-found",
			"Practitioner/personne n'existe pas (ou est déjà supprimée)", "Practitioner/personne does not exist (or is already deleted)"},
		{"launch, unreadable JSON", "POST", base + "/auth/launch", "{", append(bearer(doc), "Content-Type", "application/json"), 400, "invalid_request",
			"JSON illisible", "unreadable JSON"},
		{"bad client", "POST", base + "/auth/token", "grant_type=client_credentials", basic(c.ID, "faux"), 401, "invalid_client",
			"client inconnu ou secret invalide", "unknown client or invalid secret"},
		{"bad scope", "POST", base + "/auth/token", "grant_type=client_credentials&scope=" + url.QueryEscape("system/Patient"), basic(c.ID, secret), 400, "invalid_scope",
			"portée mal formée", "malformed scope"},
		{"grant type", "POST", base + "/auth/token", "grant_type=password", basic(c.ID, secret), 400, "unsupported_grant_type",
			"grant_type non pris en charge", "unsupported grant_type"},
		{"revoke without token", "POST", base + "/auth/revoke", "token_type_hint=access_token", basic(c.ID, secret), 400, "invalid_request",
			"paramètre token manquant", "token parameter missing"},
		{"unknown hint", "POST", base + "/auth/revoke", "token=x&token_type_hint=cookie", basic(c.ID, secret), 400, "unsupported_token_type",
			"token_type_hint inconnu", "unknown token_type_hint"},
		{"launch without token", "POST", base + "/auth/launch", "patient=" + stranger, []string{"Authorization", "", "Content-Type", "application/x-www-form-urlencoded"}, 401, "invalid_token",
			"jeton d'accès requis", "access token required"},
		{"passkey, not JSON", "POST", base + "/auth/passkeys/login/begin", "x", []string{"Content-Type", "text/plain"}, 403, "",
			"requête JSON de la même origine attendue", "a same-origin JSON request expected"},
	}
	for _, tc := range cases {
		for _, al := range []string{"", "fr-CA,en;q=0.8", "en", "en-CA,fr;q=0.5"} {
			a := call(t, tc.method, tc.url, tc.body, append(append([]string{}, tc.hdr...), "Accept-Language", al)...)
			want, lang := tc.fr, "fr"
			if strings.HasPrefix(al, "en") {
				want, lang = tc.en, "en"
			}
			code, msg := answerText(a)
			if a.status != tc.status || code != tc.code || !strings.Contains(msg, want) {
				t.Errorf("%s, Accept-Language %q: %d %s %q, want %d %s %q", tc.name, al, a.status, code, msg, tc.status, tc.code, want)
			}
			if got := a.header.Get("Content-Language"); got != lang {
				t.Errorf("%s, Accept-Language %q: Content-Language %q, want %s", tc.name, al, got, lang)
			}
		}
	}
	// a lenient search: its warnings (the Bundle's outcome entry) in the same language
	for al, want := range map[string]string{"": "paramètre de recherche inconnu pour Practitioner: foo (paramètre ignoré)", "en": "unknown search parameter for Practitioner: foo (parameter ignored)"} {
		a := call(t, "GET", f+"/Practitioner?foo=1&_count=1", "", append(bearer(doc), "Accept-Language", al)...)
		es, _ := a.obj["entry"].([]any)
		if a.status != 200 || len(es) == 0 {
			t.Fatalf("lenient search, Accept-Language %q: %d %s", al, a.status, a.raw)
		}
		last := es[len(es)-1].(map[string]any)
		outcome, _ := last["resource"].(map[string]any)
		if code, msg := answerText(answer{obj: outcome}); code != "not-found" || msg != want {
			t.Errorf("lenient search, Accept-Language %q: %s %q, want not-found %q", al, code, msg, want)
		}
	}
	// $everything: its warnings (the Bundle's outcome entry) in the same language
	for al, want := range map[string]string{"": "start n'est pas pris en charge par $everything (ignoré)", "en": "start is not supported by $everything (ignored)"} {
		a := call(t, "GET", f+"/Patient/"+gpPatient+"/$everything?start=2020-01-01&_count=1", "", append(bearer(doc), "Accept-Language", al)...)
		es, _ := a.obj["entry"].([]any)
		if a.status != 200 || len(es) == 0 {
			t.Fatalf("$everything, Accept-Language %q: %d %s", al, a.status, a.raw)
		}
		last := es[len(es)-1].(map[string]any)
		outcome, _ := last["resource"].(map[string]any)
		if code, msg := answerText(answer{obj: outcome}); code != "not-supported" || msg != want {
			t.Errorf("$everything, Accept-Language %q: %s %q, want not-supported %q", al, code, msg, want)
		}
	}
	// $merge: its outcome (Parameters.parameter "outcome") in the same language
	preview := `{"resourceType":"Parameters","parameter":[{"name":"source-patient","valueReference":{"reference":"Patient/` + stranger + `"}},{"name":"target-patient","valueReference":{"reference":"Patient/` + gpPatient + `"}},{"name":"preview","valueBoolean":true}]}`
	for al, want := range map[string]string{"": "aperçu : rien n'a été écrit", "en": "preview: nothing was written"} {
		a := call(t, "POST", f+"/Patient/$merge", preview, append(bearer(systemToken(t, m)), "Content-Type", "application/fhir+json", "Accept-Language", al)...)
		ps, _ := a.obj["parameter"].([]any)
		var outcome map[string]any
		for _, p := range ps {
			if p := p.(map[string]any); p["name"] == "outcome" {
				outcome, _ = p["resource"].(map[string]any)
			}
		}
		if code, msg := answerText(answer{obj: outcome}); a.status != 200 || code != "informational" || msg != want {
			t.Errorf("$merge preview, Accept-Language %q: %d %s %q, want 200 informational %q (%s)", al, a.status, code, msg, want, a.raw)
		}
	}
	// a batch's search entry: its warnings (the searchset's outcome entry) in the same language
	search := `{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Practitioner?foo=1&_count=1"}}]}`
	for al, want := range map[string]string{"": "paramètre de recherche inconnu pour Practitioner: foo (paramètre ignoré)", "en": "unknown search parameter for Practitioner: foo (parameter ignored)"} {
		a := call(t, "POST", f, search, append(bearer(doc), "Content-Type", "application/fhir+json", "Accept-Language", al)...)
		es, _ := a.obj["entry"].([]any)
		if a.status != 200 || len(es) != 1 {
			t.Fatalf("batch search, Accept-Language %q: %d %s", al, a.status, a.raw)
		}
		set, _ := es[0].(map[string]any)["resource"].(map[string]any)
		inner, _ := set["entry"].([]any)
		if len(inner) == 0 {
			t.Fatalf("batch search, Accept-Language %q: no entries in %s", al, a.raw)
		}
		outcome, _ := inner[len(inner)-1].(map[string]any)["resource"].(map[string]any)
		if code, msg := answerText(answer{obj: outcome}); code != "not-found" || msg != want {
			t.Errorf("batch search, Accept-Language %q: %s %q, want not-found %q", al, code, msg, want)
		}
	}
	// the CapabilityStatement: its texts (rest.documentation, rest.security.description) in the same language
	for al, want := range map[string][2]string{"": {"Recherche FHIR R4 complète", "jeton Bearer requis"}, "en": {"Complete FHIR R4 search", "a Bearer token is required"}} {
		a := call(t, "GET", f+"/metadata", "", "Accept-Language", al)
		rest, _ := a.obj["rest"].([]any)
		if a.status != 200 || len(rest) != 1 {
			t.Fatalf("metadata, Accept-Language %q: %d %s", al, a.status, a.raw)
		}
		r := rest[0].(map[string]any)
		doc, _ := r["documentation"].(string)
		sec, _ := r["security"].(map[string]any)
		desc, _ := sec["description"].(string)
		if !strings.HasPrefix(doc, want[0]) || !strings.Contains(desc, want[1]) {
			t.Errorf("metadata, Accept-Language %q: %q / %q, want %q / %q", al, doc, desc, want[0], want[1])
		}
		if lang := a.header.Get("Content-Language"); lang != map[string]string{"": "fr", "en": "en"}[al] {
			t.Errorf("metadata, Accept-Language %q: Content-Language %q", al, lang)
		}
	}
	// $match: each candidate's explanation (the match-grade's companion
	// extension) in the same language, and so is $mpi-duplicates'
	pr := call(t, "GET", f+"/Patient/"+gpPatient, "", bearer(systemToken(t, m))...)
	if pr.status != 200 {
		t.Fatalf("read Patient/%s: %d %s", gpPatient, pr.status, pr.raw)
	}
	delete(pr.obj, "id") // the index leaves a Patient's own id out of its candidates
	probe, _ := json.Marshal(map[string]any{"resourceType": "Parameters", "parameter": []any{map[string]any{"name": "resource", "resource": pr.obj}}})
	for al, want := range map[string][]string{"": {"Correspondance certain", "par l'inscription Patient/", "\nnom de famille: « "}, "en": {"Match certain", "through the registration Patient/", "\nfamily name: « "}} {
		a := call(t, "POST", f+"/Patient/$match", string(probe), append(bearer(doc), "Content-Type", "application/fhir+json", "Accept-Language", al)...)
		es, _ := a.obj["entry"].([]any)
		if a.status != 200 || len(es) == 0 {
			t.Fatalf("$match, Accept-Language %q: %d %s", al, a.status, a.raw)
		}
		var why string
		ext, _ := es[0].(map[string]any)["search"].(map[string]any)["extension"].([]any)
		for _, x := range ext {
			if x := x.(map[string]any); x["url"] == "urn:dsn:extension:explication-correspondance" {
				why, _ = x["valueString"].(string)
			}
		}
		for _, w := range want {
			if !strings.Contains(why, w) {
				t.Errorf("$match, Accept-Language %q: %q missing from the explanation %q", al, w, why)
			}
		}
		if lang := a.header.Get("Content-Language"); lang != map[string]string{"": "fr", "en": "en"}[al] {
			t.Errorf("$match, Accept-Language %q: Content-Language %q", al, lang)
		}
	}
	// a Patient's NAM disagreeing with its demographics: the write's warning in the same language
	pat := `{"resourceType":"Patient","name":[{"family":"Tremblay","given":["Pierre"]}],"birthDate":"1965-03-05","gender":"female",` +
		`"identifier":[{"system":"` + mpi.NAMSystem + `","value":"TREP65030512"}]}`
	for al, want := range map[string]string{"": "NAM TREP65030512: le sexe inscrit à la RAMQ (M) diffère du genre du dossier (female)",
		"en": "NAM TREP65030512: the sex registered at RAMQ (M) differs from the record's gender (female)"} {
		a := call(t, "POST", f+"/Patient", pat, append(bearer(systemToken(t, m)), "Content-Type", "application/fhir+json", "Prefer", "return=OperationOutcome", "Accept-Language", al)...)
		is, _ := a.obj["issue"].([]any)
		if a.status != 201 || len(is) != 2 {
			t.Fatalf("NAM hint, Accept-Language %q: %d %s", al, a.status, a.raw)
		}
		if code, msg := answerText(answer{obj: map[string]any{"issue": is[1:]}}); code != "business-rule" || msg != want {
			t.Errorf("NAM hint, Accept-Language %q: %s %q, want business-rule %q", al, code, msg, want)
		}
	}
	// a batch: each entry's error outcome in the same language
	batch := `{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Observation/` + strangerObs + `"}}]}`
	for al, want := range map[string]string{"": "bris de verre requis", "en": "break-the-glass required"} {
		a := call(t, "POST", f, batch, append(bearer(doc), "Accept-Language", al)...)
		es, _ := a.obj["entry"].([]any)
		if a.status != 200 || len(es) != 1 {
			t.Fatalf("batch, Accept-Language %q: %d %s", al, a.status, a.raw)
		}
		resp := es[0].(map[string]any)["response"].(map[string]any)
		outcome, _ := resp["outcome"].(map[string]any)
		if code, msg := answerText(answer{obj: outcome}); resp["status"] != "403 Forbidden" || code != "forbidden" || !strings.Contains(msg, want) {
			t.Errorf("batch entry, Accept-Language %q: %v %s %q, want 403 forbidden %q", al, resp["status"], code, msg, want)
		}
	}
}

// answerText is the code and the message of an error answer: an
// OperationOutcome's first issue, RFC 6749 §5.2 JSON, or a passkey
// endpoint's {"error": sentence} (no code).
func answerText(a answer) (code, msg string) {
	if a.obj == nil {
		json.Unmarshal(a.raw, &a.obj)
	}
	if is, ok := a.obj["issue"].([]any); ok && len(is) > 0 {
		i, _ := is[0].(map[string]any)
		code, _ = i["code"].(string)
		msg, _ = i["diagnostics"].(string)
		return code, msg
	}
	code, _ = a.obj["error"].(string)
	msg, ok := a.obj["error_description"].(string)
	if !ok {
		return "", code
	}
	return code, msg
}
