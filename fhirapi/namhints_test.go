package fhirapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"dsn"
	"dsn/internal/pgtest"
	"dsn/postgres"
	"dsn/repo"
	"dsn/sqlite"
)

// newServerOn serves the API over st (closed at the end).
func newServerOn(t *testing.T, st dsn.Store) *testServer {
	t.Helper()
	aud := &memAuditor{}
	srv := httptest.NewServer(New(Options{Repo: repo.New(repo.Options{Store: st}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Auditor: aud}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &testServer{Server: srv, audit: aud, store: st}
}

// bothStores runs f on a fresh SQLite store and on a fresh PostgreSQL
// schema (skipped without a PostgreSQL server, fatal under CI=true:
// internal/pgtest).
func bothStores(t *testing.T, f func(t *testing.T, st dsn.Store)) {
	t.Run("SQLite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		f(t, st)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), pgtest.Schema(t, "dsn_fhirapi"))
		if err != nil {
			t.Fatal(err)
		}
		f(t, st)
	})
}

// entryWarnings returns, per response entry, its status and the
// diagnostics of its outcome's warnings.
func entryWarnings(t *testing.T, r resp) (status []string, warnings [][]string) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("Bundle: %d %s", r.status, r.body)
	}
	for _, e := range r.obj(t)["entry"].([]any) {
		rs := e.(map[string]any)["response"].(map[string]any)
		status = append(status, rs["status"].(string))
		var ws []string
		if oo, ok := rs["outcome"].(map[string]any); ok {
			if oo["resourceType"] != "OperationOutcome" {
				t.Fatalf("outcome: %v", oo)
			}
			for _, is := range oo["issue"].([]any) {
				is := is.(map[string]any)
				if is["severity"] == "warning" {
					if is["code"] != "business-rule" || fmt.Sprint(is["expression"]) != "[Patient.identifier]" {
						t.Fatalf("warning issue: %v", is)
					}
					ws = append(ws, is["diagnostics"].(string))
				}
			}
		}
		warnings = append(warnings, ws)
	}
	return status, warnings
}

// A NAM disagreeing with the Patient's demographics is a warning in batch
// and transaction responses too (Bundle.entry.response.outcome,
// http.html#return): the entry is written, the warning names the
// disagreement, consistent Patients and other types carry none.
func TestBundleNAMInconsistentIsAWarning(t *testing.T) {
	bothStores(t, func(t *testing.T, st dsn.Store) {
		s := newServerOn(t, st)
		nam := mustNAM(t, "Tremblay", "Pierre", "1965-03-05", false, '1')
		bad := patientJSON("Gagnon", "Pierre", "1965-05-03", "male", nam, "G9A 5H7") // other surname, day/month swapped
		good := patientJSON("Tremblay", "Pierre", "1965-03-05", "male", nam, "G9A 5H7")
		obs := `{"resourceType":"Observation","status":"final","code":{"text":"poids"},"subject":{"reference":"urn:uuid:6f1c2a4e-0000-4000-8000-000000000001"}}`
		for _, typ := range []string{"transaction", "batch"} {
			subject := obs
			if typ == "batch" { // a batch does not resolve fullUrl references
				subject = strings.Replace(obs, `"subject":{"reference":"urn:uuid:6f1c2a4e-0000-4000-8000-000000000001"}`, `"subject":{"display":"x"}`, 1)
			}
			body := `{"resourceType":"Bundle","type":"` + typ + `","entry":[` +
				`{"fullUrl":"urn:uuid:6f1c2a4e-0000-4000-8000-000000000001","resource":` + bad + `,"request":{"method":"POST","url":"Patient"}},` +
				`{"resource":` + good + `,"request":{"method":"POST","url":"Patient"}},` +
				`{"resource":` + subject + `,"request":{"method":"POST","url":"Observation"}}]}`
			for _, prefer := range []string{"", "return=representation", "return=minimal"} {
				r := s.do(t, "POST", "/fhir", body, "Prefer", prefer)
				status, warnings := entryWarnings(t, r)
				if len(status) != 3 || status[0] != "201 Created" || status[1] != "201 Created" || status[2] != "201 Created" {
					t.Fatalf("%s %s: statuses %v", typ, prefer, status)
				}
				if len(warnings[0]) != 2 || !strings.Contains(warnings[0][0], "lettres TRE") || !strings.Contains(warnings[0][1], "date de naissance") {
					t.Fatalf("%s %s: warnings of the inconsistent Patient: %q", typ, prefer, warnings[0])
				}
				if len(warnings[1]) != 0 || len(warnings[2]) != 0 {
					t.Fatalf("%s %s: warnings where none is due: %q", typ, prefer, warnings)
				}
				// The resources are in the answer only when asked for.
				e0 := r.obj(t)["entry"].([]any)[0].(map[string]any)
				if _, has := e0["resource"]; has != (prefer == "return=representation") {
					t.Fatalf("%s %s: resource in the entry: %v", typ, prefer, has)
				}
			}
		}
		// Written as sent: the NAM is searchable, 6 Patients per Bundle type.
		found := s.do(t, "GET", "/fhir/Patient?identifier="+nam+"&_total=accurate", "")
		if found.status != 200 || found.obj(t)["total"] != float64(12) {
			t.Fatalf("search by NAM: %d %s", found.status, found.body)
		}
		// An update through a batch warns too; a failing entry keeps its error outcome.
		id := s.do(t, "POST", "/fhir/Patient", good).obj(t)["id"].(string)
		upd := strings.Replace(bad, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`",`, 1)
		body := `{"resourceType":"Bundle","type":"batch","entry":[` +
			`{"resource":` + upd + `,"request":{"method":"PUT","url":"Patient/` + id + `"}},` +
			`{"resource":{"resourceType":"Patient","gender":"peut-être"},"request":{"method":"POST","url":"Patient"}}]}`
		r := s.do(t, "POST", "/fhir", body)
		status, warnings := entryWarnings(t, r)
		if status[0] != "200 OK" || len(warnings[0]) != 2 || status[1] != "400 Bad Request" || len(warnings[1]) != 0 {
			t.Fatalf("batch update + invalid: %v %q %s", status, warnings, r.body)
		}
	})
}
