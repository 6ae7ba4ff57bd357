package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dsn/access"
)

// pollImport asks for an import's status until it completes (200).
func pollImport(t *testing.T, status string) map[string]any {
	t.Helper()
	return pollDone(t, status, "import").obj
}

// importKick posts a kick-off and returns the status URL.
func importKick(t *testing.T, s *server, body, contentType string) string {
	t.Helper()
	a := call(t, "POST", s.base+"/$import", body, "Prefer", "respond-async", "Content-Type", contentType)
	loc := a.header.Get("Content-Location")
	if a.status != 202 || !strings.HasPrefix(loc, s.base+"/$import-status?_jobId=") {
		t.Fatalf("kick-off: %d %s, Content-Location %q", a.status, a.raw, loc)
	}
	return loc
}

// entries indexes the output or error entries of an import result by inputUrl.
func entries(m map[string]any, key string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, e := range m[key].([]any) {
		e := e.(map[string]any)
		out[e["inputUrl"].(string)] = e
	}
	return out
}

// $import over real HTTP on SQLite and PostgreSQL: inputs named by URL on a
// loopback server (one with malformed lines, one missing), then an NDJSON
// upload (gzip) that is idempotent; refused kick-offs and roles.
func TestBulkImportHTTP(t *testing.T) {
	in := synthDir(t, 3)
	want := inputCounts(t, in)
	bad := "{\"resourceType\":\"Patient\",\"id\":\"ok-1\",\"gender\":\"female\"}\n" +
		"{pas du json\n" +
		"{\"resourceType\":\"Patient\",\"id\":\"ok-2\",\"gender\":\"jaguar\"}\n" +
		"{\"resourceType\":\"Patient\",\"id\":\"ok-3\"}\n"
	files := http.FileServer(http.Dir(in))
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad.ndjson" {
			io.WriteString(w, bad)
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer src.Close()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			sc := freshStore(t, kind)
			s := startOn(t, sc)
			for _, c := range []struct {
				body, ct, prefer string
				status           int
			}{
				{`{"resourceType":"Parameters"}`, "application/fhir+json", "respond-async", 400},
				{`{"input":[{"type":"Patient","url":"http://example.org/p.ndjson"}]}`, "application/json", "respond-async", 400},
				{`{"input":[{"type":"Patient","url":"file:///etc/passwd"}]}`, "application/json", "respond-async", 400},
				{`{"inputFormat":"text/csv","input":[{"url":"` + src.URL + `/Patient.ndjson"}]}`, "application/json", "respond-async", 400},
				{`{"input":[{"url":"` + src.URL + `/Patient.ndjson"}]}`, "application/json", "", 400},
				{"a,b\n", "text/csv", "respond-async", 415},
			} {
				a := call(t, "POST", s.base+"/$import", c.body, "Prefer", c.prefer, "Content-Type", c.ct)
				if a.status != c.status || a.obj["resourceType"] != "OperationOutcome" {
					t.Errorf("%s %s: %d %.200s, want %d with an OperationOutcome", c.ct, c.body, a.status, a.raw, c.status)
				}
			}
			if a := call(t, "GET", s.base+"/$import-status?_jobId=nobody", ""); a.status != 404 {
				t.Errorf("unknown job: %d", a.status)
			}
			if caps := call(t, "GET", s.base+"/metadata", ""); !strings.Contains(string(caps.raw), `"name":"import"`) {
				t.Error("the CapabilityStatement does not declare $import")
			}

			// by URL: a Parameters naming four inputs
			params := fmt.Sprintf(`{"resourceType":"Parameters","parameter":[
				{"name":"inputFormat","valueCode":"application/fhir+ndjson"},
				{"name":"input","part":[{"name":"type","valueCode":"Patient"},{"name":"url","valueUri":"%[1]s/Patient.ndjson"}]},
				{"name":"input","part":[{"name":"type","valueCode":"Observation"},{"name":"url","valueUri":"%[1]s/Observation.ndjson"}]},
				{"name":"input","part":[{"name":"type","valueCode":"Patient"},{"name":"url","valueUri":"%[1]s/bad.ndjson"}]},
				{"name":"input","part":[{"name":"type","valueCode":"Condition"},{"name":"url","valueUri":"%[1]s/missing.ndjson"}]}]}`, src.URL)
			res := pollImport(t, importKick(t, s, params, "application/fhir+json"))
			out, errs := entries(res, "output"), entries(res, "error")
			if n := out[src.URL+"/Patient.ndjson"]["count"]; n != float64(want["Patient"]) {
				t.Errorf("Patient input: %v stored, want %d (%v)", n, want["Patient"], res)
			}
			if n := out[src.URL+"/Observation.ndjson"]["created"]; n != float64(want["Observation"]) {
				t.Errorf("Observation input: %v created, want %d", n, want["Observation"])
			}
			if out[src.URL+"/bad.ndjson"]["count"] != float64(2) || errs[src.URL+"/bad.ndjson"]["count"] != float64(2) {
				t.Errorf("bad input: output %v, error %v; want 2 stored, 2 rejected", out[src.URL+"/bad.ndjson"], errs[src.URL+"/bad.ndjson"])
			}
			if errs[src.URL+"/missing.ndjson"]["count"] != float64(1) || len(errs) != 2 {
				t.Errorf("errors %v: want the bad input and the missing one", errs)
			}
			body := get(t, errs[src.URL+"/bad.ndjson"]["url"].(string))
			if lines := strings.Split(strings.TrimSpace(body), "\n"); len(lines) != 2 ||
				!strings.Contains(lines[0], `"resourceType":"OperationOutcome"`) || !strings.Contains(lines[0], "ligne 2 ") || !strings.Contains(lines[1], "ligne 3 ") {
				t.Errorf("error file:\n%s", body)
			}
			if body := get(t, errs[src.URL+"/missing.ndjson"]["url"].(string)); !strings.Contains(body, "lecture de "+src.URL+"/missing.ndjson : réponse 404") {
				t.Errorf("error file of the missing input:\n%s", body)
			}
			// the same inputs kicked off in English: the job's own errors speak it
			enParams := fmt.Sprintf(`{"resourceType":"Parameters","parameter":[
				{"name":"input","part":[{"name":"type","valueCode":"Patient"},{"name":"url","valueUri":"%[1]s/bad.ndjson"}]},
				{"name":"input","part":[{"name":"type","valueCode":"Condition"},{"name":"url","valueUri":"%[1]s/missing.ndjson"}]}]}`, src.URL)
			a := call(t, "POST", s.base+"/$import", enParams, "Prefer", "respond-async", "Content-Type", "application/fhir+json", "Accept-Language", "en")
			if a.status != 202 {
				t.Fatalf("English kick-off: %d %s", a.status, a.raw)
			}
			enErrs := entries(pollImport(t, a.header.Get("Content-Location")), "error")
			body = get(t, enErrs[src.URL+"/bad.ndjson"]["url"].(string))
			if lines := strings.Split(strings.TrimSpace(body), "\n"); len(lines) != 2 || !strings.Contains(lines[0], "line 2: the body is not valid JSON: a property name expected") || !strings.Contains(lines[1], "line 3: ") || strings.Contains(body, "ligne") {
				t.Errorf("English error file:\n%s", body)
			}
			if body := get(t, enErrs[src.URL+"/missing.ndjson"]["url"].(string)); !strings.Contains(body, "reading "+src.URL+"/missing.ndjson: answer 404") {
				t.Errorf("English error file of the missing input:\n%s", body)
			}
			if a := call(t, "GET", s.base+"/Patient/ok-3", ""); a.status != 200 {
				t.Errorf("a good line of the bad input is not stored: %d", a.status)
			}
			if a := call(t, "GET", s.base+"/Patient/ok-2", ""); a.status != 404 {
				t.Errorf("an invalid line was stored: %d", a.status)
			}
			p := firstID(t, filepath.Join(in, "Patient.ndjson"))
			if a := call(t, "GET", s.base+"/Patient/"+p, ""); a.status != 200 || !strings.Contains(string(a.raw), `"refer"`) {
				t.Errorf("imported Patient/%s: %d, without its golden record link: %.300s", p, a.status, a.raw)
			}

			// upload: the Encounters, gzip-compressed, twice (the second changes nothing)
			raw, _ := os.ReadFile(filepath.Join(in, "Encounter.ndjson"))
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(raw)
			zw.Close()
			for round, field := range []string{"created", "unchanged"} {
				res := pollImport(t, importKick(t, s, gz.String(), "application/fhir+ndjson"))
				if e := entries(res, "output")["upload"]; e[field] != float64(want["Encounter"]) || len(res["error"].([]any)) != 0 {
					t.Errorf("upload %d: %v, want %s %d", round+1, res, field, want["Encounter"])
				}
			}

			// roles: a nurse may not import; an archivist may
			ctx := context.Background()
			for role, status := range map[access.Role]int{access.RoleNurse: 403, access.RoleArchivist: 202} {
				u, err := s.m.auth.CreateUser(ctx, access.NewUser{Username: "u-" + string(role), Role: role, Establishment: "e"})
				if err != nil {
					t.Fatal(err)
				}
				tok, _, _ := s.m.auth.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.cruds"), ""), time.Minute)
				a := call(t, "POST", s.base+"/$import", string(raw), "Prefer", "respond-async",
					"Content-Type", "application/fhir+ndjson", "Authorization", "Bearer "+tok)
				if a.status != status {
					t.Errorf("%s: %d %.200s, want %d", role, a.status, a.raw, status)
				}
				if status == 202 { // cancel: 202, then the job is gone
					loc := a.header.Get("Content-Location")
					if d := call(t, "DELETE", loc, ""); d.status != 202 {
						t.Errorf("delete: %d %s", d.status, d.raw)
					}
					if g := call(t, "GET", loc, ""); g.status != 404 {
						t.Errorf("status after delete: %d", g.status)
					}
				}
			}
		})
	}
}

// get fetches an NDJSON file with the server's token and returns the body.
func get(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	authorize(req)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/fhir+ndjson" {
		t.Fatalf("GET %s: %d %q %s", url, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	return string(b)
}

// firstID returns the id of the first resource of an NDJSON file.
func firstID(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	i := strings.Index(line, `"id":"`)
	if i < 0 {
		t.Fatalf("no id in %s", line)
	}
	rest := line[i+6:]
	return rest[:strings.Index(rest, `"`)]
}
