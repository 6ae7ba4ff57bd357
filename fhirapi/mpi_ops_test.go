package fhirapi

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
	"dsn/mpi/provincial"
	"dsn/repo"
	"dsn/sqlite"
)

// newRecordsServer wires the provincial record as cmd/dsn does: live index
// on the commit hook, the Service writing through it, the API through
// provincial.Enqueue. Tests run the linker with drain.
func newRecordsServer(t *testing.T) (*testServer, *provincial.Service) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return newRecordsServerOn(t, st)
}

// newRecordsServerOn is newRecordsServer over st (closed at the end).
func newRecordsServerOn(t *testing.T, st dsn.Store) (*testServer, *provincial.Service) {
	t.Helper()
	m, _ := mpi.NewMatcher(mpi.DefaultConfig())
	live := mpi.NewLive(m)
	hooked := repo.WithOnCommit(st, func(rs []dsn.Resource) { live.Apply(rs) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := provincial.New(provincial.Options{Store: hooked, Live: live, Logger: log})
	o := Options{Repo: repo.New(repo.Options{Store: provincial.Enqueue(hooked, provincial.EnqueueOptions{})}), Logger: log, Records: svc}
	srv := httptest.NewServer(New(o))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &testServer{Server: srv, store: st}, svc
}

func drain(t *testing.T, svc *provincial.Service) {
	t.Helper()
	if _, err := svc.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func param(name, key string, value any) string {
	return string(fhir.Encode(map[string]any{"name": name, key: value}))
}

func refParam(name, id string) string {
	return param(name, "valueReference", map[string]any{"reference": "Patient/" + id})
}

func paramsBody(ps ...string) string {
	return `{"resourceType":"Parameters","parameter":[` + strings.Join(ps, ",") + `]}`
}

// outParam finds an output parameter of a Parameters answer.
func outParam(t *testing.T, o fhir.Object, name string) map[string]any {
	t.Helper()
	for _, p := range o["parameter"].([]any) {
		if m := p.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no output %q in %s", name, fhir.Encode(o))
	return nil
}

func TestProvincialRecordOverHTTP(t *testing.T) {
	s, svc := newRecordsServer(t)
	nam := mustNAM(t, "Gagnon", "Marie", "1972-08-12", true, '1')
	marie := patientJSON("Gagnon", "Marie", "1972-08-12", "female", nam, "G9A 5H7")
	for _, id := range []string{"s1", "s2"} {
		if r := s.do(t, "PUT", "/fhir/Patient/"+id, strings.Replace(marie, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`",`, 1)); r.status != 201 {
			t.Fatalf("PUT %s: %d %s", id, r.status, r.body)
		}
	}
	s.do(t, "PUT", "/fhir/Patient/s3", `{"resourceType":"Patient","id":"s3","name":[{"family":"Tremblay","given":["Pierre"]}],"birthDate":"1965-03-05","gender":"male"}`)
	drain(t, svc)
	s.do(t, "PUT", "/fhir/Patient/s4", `{"resourceType":"Patient","id":"s4","name":[{"family":"Tremblay","given":["Pierre"]}],"birthDate":"1965-05-03","gender":"male"}`)
	for _, o := range []string{"o1:s1", "o2:s2"} {
		id, pat, _ := strings.Cut(o, ":")
		s.do(t, "PUT", "/fhir/Observation/"+id, `{"resourceType":"Observation","id":"`+id+`","status":"final","code":{"text":"poids"},"subject":{"reference":"Patient/`+pat+`"}}`)
	}
	drain(t, svc)

	caps := string(s.do(t, "GET", "/fhir/metadata", "").body)
	for _, op := range []string{`"merge"`, `"unmerge"`, `"mpi-link"`, `"mpi-queue"`, `"mpi-accept"`} {
		if !strings.Contains(caps, op) {
			t.Errorf("CapabilityStatement lacks %s", op)
		}
	}

	// $match answers the golden record, once for the person
	ids, _, _, explain := s.matchEntries(t, matchParams(marie, ""))
	if len(ids) != 1 || !strings.Contains(explain[0], "Dossier provincial") {
		t.Fatalf("$match: %v %v", ids, explain)
	}
	golden := ids[0]
	if g := s.do(t, "GET", "/fhir/Patient/"+golden, "").obj(t); !mpi.IsGolden(g) {
		t.Fatalf("$match returned a registration: %s", fhir.Encode(g))
	}
	// a client cannot write it
	wantOO(t, s.do(t, "PUT", "/fhir/Patient/"+golden, `{"resourceType":"Patient","id":"`+golden+`"}`), 422)

	// $everything on the golden record gathers both registrations' data
	ev := s.do(t, "GET", "/fhir/Patient/"+golden+"/$everything", "").obj(t)
	body := string(fhir.Encode(ev))
	if first := ev["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any); first["id"] != golden ||
		!strings.Contains(body, `"Observation/o1"`) && !strings.Contains(body, `"o1"`) || !strings.Contains(body, `"o2"`) {
		t.Fatalf("$everything of the golden record: %s", body)
	}

	// the queue holds s4's proposal, with its two Patients included
	q := s.do(t, "GET", "/fhir/Patient/$mpi-queue", "").obj(t)
	entries, _ := q["entry"].([]any)
	if q["total"] != float64(1) || len(entries) != 4 { // the Task, its registration, the proposed record and its closest registration
		t.Fatalf("$mpi-queue: %s", fhir.Encode(q))
	}
	task := entries[0].(map[string]any)["resource"].(map[string]any)["id"].(string)
	r := s.do(t, "POST", "/fhir/Task/"+task+"/$mpi-accept", paramsBody(param("reason", "valueString", "même personne")))
	if r.status != 200 || !strings.Contains(string(r.body), "Provenance/") {
		t.Fatalf("$mpi-accept: %d %s", r.status, r.body)
	}
	wantOO(t, s.do(t, "POST", "/fhir/Task/"+task+"/$mpi-accept", ""), 422)
	wantOO(t, s.do(t, "POST", "/fhir/Task/nope/$mpi-reject", ""), 404)

	// $merge: errors, then s1 into s2
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$merge", paramsBody(refParam("source-patient", "s1"))), 400)
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$merge", paramsBody(refParam("source-patient", "s1"), refParam("target-patient", "s1"))), 422)
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$merge", paramsBody(refParam("source-patient", "zz"), refParam("target-patient", "s1"))), 404)
	byNAM := param("source-patient-identifier", "valueIdentifier", map[string]any{"system": mpi.NAMSystem, "value": nam})
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$merge", paramsBody(byNAM, refParam("target-patient", "s2"))), 422) // two registrations carry it
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$unmerge", paramsBody(refParam("source-patient", "s1"), refParam("target-patient", "s2"))), 422)
	r = s.do(t, "POST", "/fhir/Patient/$merge", paramsBody(refParam("source-patient", "s1"), refParam("target-patient", "s2")))
	if r.status != 200 {
		t.Fatalf("$merge: %d %s", r.status, r.body)
	}
	if res := outParam(t, r.obj(t), "result")["resource"].(map[string]any); res["id"] != "s2" {
		t.Fatalf("$merge result: %v", res)
	}
	if o1 := s.do(t, "GET", "/fhir/Observation/o1", "").obj(t); o1["subject"].(map[string]any)["reference"] != "Patient/s2" {
		t.Fatalf("o1 after merge: %v", o1["subject"])
	}
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$merge", paramsBody(refParam("source-patient", "s1"), refParam("target-patient", "s2"))), 422)
	r = s.do(t, "POST", "/fhir/Patient/$unmerge", paramsBody(refParam("source-patient", "s1"), refParam("target-patient", "s2")))
	if r.status != 200 {
		t.Fatalf("$unmerge: %d %s", r.status, r.body)
	}
	if o1 := s.do(t, "GET", "/fhir/Observation/o1", "").obj(t); o1["subject"].(map[string]any)["reference"] != "Patient/s1" {
		t.Fatalf("o1 after unmerge: %v", o1["subject"])
	}
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$unmerge", paramsBody(refParam("source-patient", "s1"), refParam("target-patient", "s2"))), 422)

	// link and unlink
	g3 := outParam(t, s.do(t, "POST", "/fhir/Patient/$mpi-unlink", paramsBody(refParam("source", "s4"))).obj(t), "golden")
	if g3 == nil {
		t.Fatal("$mpi-unlink gave no golden record")
	}
	wantOO(t, s.do(t, "POST", "/fhir/Patient/$mpi-link", paramsBody(refParam("source", "s4"), refParam("target", "s3"))), 422)

	dup := s.do(t, "GET", "/fhir/Patient/$mpi-duplicates?threshold=probable&_count=5", "")
	if dup.status != 200 || outParam(t, dup.obj(t), "total") == nil {
		t.Fatalf("$mpi-duplicates: %d %s", dup.status, dup.body)
	}
	wantOO(t, s.do(t, "GET", "/fhir/Patient/$mpi-duplicates?threshold=beaucoup", ""), 400)
}
