package fhirapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/mpi"
	"dsn/repo"
	"dsn/sqlite"
)

// newMatchServer is a server over a real sqlite store whose repo keeps a
// live MPI index current through OnCommit, as cmd/dsn wires it.
func newMatchServer(t *testing.T) *testServer {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mpi.NewMatcher(mpi.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	live := mpi.NewLive(m)
	onCommit := func(rs []dsn.Resource) {
		if err := live.Apply(rs); err != nil {
			t.Error(err)
		}
	}
	o := Options{Repo: repo.New(repo.Options{Store: st, OnCommit: onCommit}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MPI: live.Index}
	srv := httptest.NewServer(New(o))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &testServer{Server: srv, store: st}
}

// patientJSON builds a Patient; nam "" leaves the NAM out.
func patientJSON(family, given, birth, gender, nam, postal string) string {
	ids := ""
	if nam != "" {
		ids = fmt.Sprintf(`"identifier":[{"system":%q,"value":%q}],`, mpi.NAMSystem, nam)
	}
	return fmt.Sprintf(`{"resourceType":"Patient",%s"name":[{"family":%q,"given":[%q]}],"birthDate":%q,"gender":%q,`+
		`"address":[{"line":["1200 rue des Forges"],"city":"Trois-Rivières","postalCode":%q}],"telecom":[{"system":"phone","value":"819-555-0142"}]}`,
		ids, family, given, birth, gender, postal)
}

func matchParams(patient string, extra string) string {
	return `{"resourceType":"Parameters","parameter":[{"name":"resource","resource":` + patient + `}` + extra + `]}`
}

func mustNAM(t *testing.T, family, given, birth string, female bool, diff byte) string {
	t.Helper()
	d, _ := time.Parse("2006-01-02", birth)
	n, err := mpi.MakeNAM(family, given, d, female, diff)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// matchEntries posts $match and returns the entries' ids, grades and scores.
func (s *testServer) matchEntries(t *testing.T, body string) (ids, grades []string, scores []float64, explain []string) {
	t.Helper()
	r := s.do(t, "POST", "/fhir/Patient/$match", body)
	if r.status != 200 {
		t.Fatalf("$match: %d %s", r.status, r.body)
	}
	b := r.obj(t)
	if b["resourceType"] != "Bundle" || b["type"] != "searchset" {
		t.Fatalf("want a searchset Bundle: %s", r.body)
	}
	entries, _ := b["entry"].([]any)
	for _, e := range entries {
		e := e.(map[string]any)
		res := e["resource"].(map[string]any)
		search := e["search"].(map[string]any)
		if search["mode"] != "match" {
			t.Fatalf("search.mode = %v", search["mode"])
		}
		ids = append(ids, res["id"].(string))
		scores = append(scores, search["score"].(float64))
		var g, x string
		for _, ext := range search["extension"].([]any) {
			ext := ext.(map[string]any)
			switch ext["url"] {
			case matchGradeURL:
				g = ext["valueCode"].(string)
			case matchExplainURL:
				x = ext["valueString"].(string)
			}
		}
		grades, explain = append(grades, g), append(explain, x)
	}
	for i := 1; i < len(scores); i++ {
		if scores[i] > scores[i-1] {
			t.Fatalf("entries not ordered by score: %v", scores)
		}
	}
	return
}

func TestPatientMatchOverHTTP(t *testing.T) {
	s := newMatchServer(t)
	namA := mustNAM(t, "Tremblay", "Marie-Ève", "1980-03-04", true, '1')
	namC := mustNAM(t, "Tremblay", "Marie-Josée", "1980-03-04", true, '2')
	a := s.do(t, "POST", "/fhir/Patient", patientJSON("Tremblay", "Marie-Ève", "1980-03-04", "female", namA, "G9A 5H7"))
	c := s.do(t, "POST", "/fhir/Patient", patientJSON("Tremblay", "Marie-Josée", "1980-03-04", "female", namC, "G9A 5H7"))
	s.do(t, "POST", "/fhir/Patient", patientJSON("Nguyen", "Thi Lan", "1955-11-02", "female", "", "H2X 1Y4"))
	idA, idC := a.obj(t)["id"].(string), c.obj(t)["id"].(string)

	// Exact copy with the NAM: A, certain, first.
	ids, grades, scores, explain := s.matchEntries(t, matchParams(patientJSON("Tremblay", "Marie-Ève", "1980-03-04", "female", namA, "G9A 5H7"), ""))
	if len(ids) == 0 || ids[0] != idA || grades[0] != "certain" || scores[0] < 0.9 {
		t.Fatalf("exact NAM copy: ids %v grades %v scores %v", ids, grades, scores)
	}
	if !strings.Contains(explain[0], "nom de famille") || !strings.Contains(explain[0], "bits") {
		t.Fatalf("explanation: %q", explain[0])
	}
	// Noisy copy: no NAM, accents dropped, day and month swapped.
	ids, grades, _, _ = s.matchEntries(t, matchParams(patientJSON("TREMBLAY", "Marie-Eve", "1980-04-03", "female", "", "G9A 5H7"), ""))
	if len(ids) == 0 || ids[0] != idA || (grades[0] != "certain" && grades[0] != "probable") {
		t.Fatalf("noisy copy: ids %v grades %v", ids, grades)
	}
	// The twin: C is found; A may be proposed but never as certain.
	ids, grades, _, _ = s.matchEntries(t, matchParams(patientJSON("Tremblay", "Marie-Josée", "1980-03-04", "female", namC, "G9A 5H7"), ""))
	if len(ids) == 0 || ids[0] != idC {
		t.Fatalf("twin query: ids %v", ids)
	}
	for i, id := range ids {
		if id == idA && grades[i] == "certain" {
			t.Fatalf("twins linked as certain: %v %v", ids, grades)
		}
	}
	// Without the flags the twin A is proposed too (probable), so the flags below have something to remove.
	if len(ids) < 2 || !slices.Contains(ids, idA) {
		t.Fatalf("twin query should propose both twins: %v %v", ids, grades)
	}
	// onlyCertainMatches keeps the certain candidate only.
	ids, grades, _, _ = s.matchEntries(t, matchParams(patientJSON("Tremblay", "Marie-Josée", "1980-03-04", "female", namC, "G9A 5H7"),
		`,{"name":"onlyCertainMatches","valueBoolean":true},{"name":"count","valueInteger":5}`))
	if len(ids) != 1 || ids[0] != idC || grades[0] != "certain" {
		t.Fatalf("onlyCertainMatches: %v %v", ids, grades)
	}
	// count bounds the answer to the best candidates (Bundle.total says how many were returned).
	ids, _, _, _ = s.matchEntries(t, matchParams(patientJSON("Tremblay", "Marie-Josée", "1980-03-04", "female", namC, "G9A 5H7"),
		`,{"name":"count","valueInteger":1}`))
	if len(ids) != 1 || ids[0] != idC {
		t.Fatalf("count=1: %v", ids)
	}
	if b := s.do(t, "POST", "/fhir/Patient/$match", matchParams(patientJSON("Tremblay", "Marie-Josée", "1980-03-04", "female", namC, "G9A 5H7"),
		`,{"name":"count","valueInteger":1}`)).obj(t); b["total"] != float64(1) {
		t.Fatalf("count=1: total %v", b["total"])
	}
	// count above the maximum is capped, not refused.
	if ids, _, _, _ = s.matchEntries(t, matchParams(patientJSON("Tremblay", "Marie-Josée", "1980-03-04", "female", namC, "G9A 5H7"),
		`,{"name":"count","valueInteger":100000}`)); len(ids) < 2 {
		t.Fatalf("count=100000: %v", ids)
	}
}

func TestPatientMatchFollowsWrites(t *testing.T) {
	s := newMatchServer(t)
	nam := mustNAM(t, "Gauthier", "Jean", "1947-07-01", false, '1')
	query := matchParams(patientJSON("Gauthier", "Jean", "1947-07-01", "male", nam, "G8T 2K9"), "")
	// A transaction Bundle write reaches the index.
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PUT","url":"Patient/jg"},"resource":` +
		strings.Replace(patientJSON("Gauthier", "Jean", "1947-07-01", "male", nam, "G8T 2K9"), `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"jg",`, 1) + `}]}`
	if r := s.do(t, "POST", "/fhir", tx); r.status != 200 {
		t.Fatalf("transaction: %d %s", r.status, r.body)
	}
	if ids, _, _, _ := s.matchEntries(t, query); len(ids) != 1 || ids[0] != "jg" {
		t.Fatalf("after transaction: %v", ids)
	}
	// An update that changes the identity is seen: the old identity no longer matches.
	up := strings.Replace(patientJSON("Zylberberg", "Ruth", "1990-01-05", "female", "", "H3Z 2Y7"), `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"jg",`, 1)
	if r := s.do(t, "PUT", "/fhir/Patient/jg", up); r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if ids, grades, _, _ := s.matchEntries(t, query); len(ids) != 0 && grades[0] != "possible" {
		t.Fatalf("after update: %v %v", ids, grades)
	}
	if ids, _, _, _ := s.matchEntries(t, matchParams(patientJSON("Zylberberg", "Ruth", "1990-01-05", "female", "", "H3Z 2Y7"), "")); len(ids) != 1 {
		t.Fatalf("new identity not indexed: %v", ids)
	}
	// A delete removes it.
	if r := s.do(t, "DELETE", "/fhir/Patient/jg", ""); r.status >= 300 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if ids, _, _, _ := s.matchEntries(t, matchParams(patientJSON("Zylberberg", "Ruth", "1990-01-05", "female", "", "H3Z 2Y7"), "")); len(ids) != 0 {
		t.Fatalf("deleted Patient still matched: %v", ids)
	}
}

func TestPatientMatchErrors(t *testing.T) {
	s := newMatchServer(t)
	for name, body := range map[string]string{
		"no resource":   `{"resourceType":"Parameters","parameter":[{"name":"count","valueInteger":3}]}`,
		"not a Patient": matchParams(`{"resourceType":"Observation","status":"final","code":{"text":"x"}}`, ""),
		"invalid":       matchParams(`{"resourceType":"Patient","gender":"peut-être"}`, ""),
		"bad count":     matchParams(patientJSON("A", "B", "2000-01-01", "male", "", "G9A 5H7"), `,{"name":"count","valueInteger":0}`),
		"not JSON":      `{`,
		"other type":    `{"resourceType":"Observation"}`,
	} {
		t.Run(name, func(t *testing.T) { wantOO(t, s.do(t, "POST", "/fhir/Patient/$match", body), 400) })
	}
	// Without an MPI the operation is not served.
	plain := newServer(t, nil)
	wantOO(t, plain.do(t, "POST", "/fhir/Patient/$match", matchParams(patientJSON("A", "B", "2000-01-01", "male", "", "G9A 5H7"), "")), 405) // known path, only GET/PUT/PATCH/DELETE
	if strings.Contains(string(plain.do(t, "GET", "/fhir/metadata", "").body), "Patient-match") {
		t.Fatal("metadata declares $match without an MPI")
	}
	if !strings.Contains(string(s.do(t, "GET", "/fhir/metadata", "").body), `"definition":"http://hl7.org/fhir/OperationDefinition/Patient-match","name":"match"`) {
		t.Fatal("metadata does not declare $match")
	}
}

// A Patient whose NAM disagrees with its demographics is written all the
// same (a warning, never a block: quebec.md §1.1); with Prefer:
// return=OperationOutcome (http.html#return) the answer carries the
// warnings, and a consistent NAM gives none.
func TestPatientNAMInconsistentIsAWarning(t *testing.T) {
	s := newMatchServer(t)
	nam := mustNAM(t, "Tremblay", "Pierre", "1965-03-05", false, '1')
	bad := patientJSON("Gagnon", "Pierre", "1965-05-03", "male", nam, "G9A 5H7") // other surname, day/month swapped
	r := s.do(t, "POST", "/fhir/Patient", bad, "Prefer", "return=OperationOutcome")
	if r.status != 201 {
		t.Fatalf("create with an inconsistent NAM: %d %s", r.status, r.body)
	}
	var warnings []string
	for _, is := range r.obj(t)["issue"].([]any) {
		is := is.(map[string]any)
		if is["severity"] == "warning" {
			warnings = append(warnings, is["diagnostics"].(string))
		}
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "lettres TRE") || !strings.Contains(warnings[1], "date de naissance") {
		t.Fatalf("warnings: %q", warnings)
	}
	// The write happened: the Patient reads back with its NAM as given.
	loc := r.header.Get("Location")
	id := strings.Split(loc[strings.Index(loc, "/Patient/")+len("/Patient/"):], "/")[0]
	if got := s.do(t, "GET", "/fhir/Patient/"+id, ""); got.status != 200 || !strings.Contains(string(got.body), nam) {
		t.Fatalf("read back: %d %s", got.status, got.body)
	}
	// An update keeping the inconsistency warns again; the default answer is the resource.
	if up := s.do(t, "PUT", "/fhir/Patient/"+id, strings.Replace(bad, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`",`, 1),
		"Prefer", "return=OperationOutcome"); up.status != 200 || !strings.Contains(string(up.body), `"severity":"warning"`) {
		t.Fatalf("update: %d %s", up.status, up.body)
	}
	if def := s.do(t, "POST", "/fhir/Patient", bad); def.status != 201 || def.obj(t)["resourceType"] != "Patient" {
		t.Fatalf("default return: %d %s", def.status, def.body)
	}
	good := s.do(t, "POST", "/fhir/Patient", patientJSON("Tremblay", "Pierre", "1965-03-05", "male", nam, "G9A 5H7"), "Prefer", "return=OperationOutcome")
	if good.status != 201 || strings.Contains(string(good.body), `"warning"`) {
		t.Fatalf("consistent NAM: %d %s", good.status, good.body)
	}
}

// The index is asked for 4 × count candidates first; when filtering leaves
// the answer short (here: four twins outrank the certain match but are held
// back by the twin rule), the operation asks again for the maximum.
func TestPatientMatchLooksFurtherWhenFiltered(t *testing.T) {
	s := newMatchServer(t)
	families := []string{"Bélanger", "Cloutier", "Fortin", "Gauthier", "Lavoie", "Morin", "Ouellet", "Pelletier", "Roy", "Simard"}
	for i := 0; i < 60; i++ { // other people, so that the family name is not the whole index
		s.do(t, "POST", "/fhir/Patient", patientJSON(families[i%10], fmt.Sprintf("Prénom%c", 'A'+i/10), fmt.Sprintf("19%02d-02-03", 30+i), "female", "", "H2X 1Y4"))
	}
	for _, g := range []string{"Marie-Ève", "Louise", "Gisèle", "Thérèse"} { // twins of the query: same everything but the given name
		s.do(t, "POST", "/fhir/Patient", patientJSON("Zylberberg", g, "1980-03-04", "female", "", "G9A 5H7"))
	}
	same := `{"resourceType":"Patient","name":[{"family":"Zylberberg","given":["Rosalie"]}],"birthDate":"1980-03-04","gender":"female"}`
	id := s.do(t, "POST", "/fhir/Patient", same).obj(t)["id"].(string)
	query := patientJSON("Zylberberg", "Rosalie", "1980-03-04", "female", "", "G9A 5H7")

	// Ordered by score: the certain match first, the twins (capped just under 0.9) after it.
	ids, grades, _, _ := s.matchEntries(t, matchParams(query, ""))
	if len(ids) != 5 || ids[0] != id || grades[0] != "certain" || grades[1] != "probable" {
		t.Fatalf("want the certain match, then the four twins: %v %v", ids, grades)
	}
	// The four twins have the higher totals: the first 4 candidates asked for
	// count=1 are all twins; the certain match is found by asking again.
	for _, extra := range []string{`,{"name":"count","valueInteger":1}`,
		`,{"name":"onlyCertainMatches","valueBoolean":true},{"name":"count","valueInteger":1}`} {
		ids, grades, _, _ = s.matchEntries(t, matchParams(query, extra))
		if len(ids) != 1 || ids[0] != id || grades[0] != "certain" {
			t.Fatalf("%s: %v %v", extra, ids, grades)
		}
	}
}
