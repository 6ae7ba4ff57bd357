package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dsn"
)

// $export applies the policy to the client that asked: a research client's
// export leaves out the citizen who refused research (LRSSS s. 8) and the
// youth-protection files (no CPEJ mission), and journals one export entry per
// patient whose resources left, none for the refusing citizen.
func TestExportAppliesThePolicy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	m, err := NewMain(ctx, Config{Addr: "127.0.0.1:0", Store: StoreConfig{DataDir: dir}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; m.Close() })
	systemToken(t, m) // the operations client writes the test data
	f := "http://" + m.Addr() + "/fhir"
	put := func(path, body string) {
		t.Helper()
		if a := call(t, "PUT", f+"/"+path, body); a.status != 201 && a.status != 200 {
			t.Fatalf("PUT %s: %d %s", path, a.status, a.raw)
		}
	}
	obs := func(id, patient, extra string) string {
		return `{"resourceType":"Observation","id":"` + id + `","status":"final",` + extra +
			`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/` + patient + `"}}`
	}
	for _, p := range []string{"exp-refuses", "exp-agrees", "exp-youth"} {
		put("Patient/"+p, `{"resourceType":"Patient","id":"`+p+`","name":[{"family":"Essai"}]}`)
		put("Observation/o-"+p, obs("o-"+p, p, ""))
	}
	// youth protection files are written by a system of the CPEJ mission only
	_, dpj := clientToken(t, m, "dpj", "system/*.cruds", "", []string{"CPEJ"})
	if a := call(t, "PUT", f+"/Observation/o-exp-youth-dpj", obs("o-exp-youth-dpj", "exp-youth",
		`"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]},`),
		"Authorization", "Bearer "+dpj); a.status != 201 {
		t.Fatalf("youth protection file: %d %s", a.status, a.raw)
	}
	refusal := `{"resourceType":"Consent","status":"active","scope":{"text":"refus"},"category":[{"text":"LRSSS art. 8"}],
		"patient":{"reference":"Patient/exp-refuses"},
		"provision":{"type":"deny","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"HRESCH"}]}}`
	if a := call(t, "POST", f+"/Consent", refusal); a.status != 201 {
		t.Fatalf("refusal: %d %s", a.status, a.raw)
	}

	researchID, tok := clientToken(t, m, "recherche", "system/*.rs", "HRESCH", nil)
	research := []string{"Authorization", "Bearer " + tok}
	a := call(t, "GET", f+"/$export?_type=Patient,Observation", "", append(research, "Prefer", "respond-async", "Accept", "application/fhir+json")...)
	if a.status != 202 {
		t.Fatalf("kick-off: %d %s", a.status, a.raw)
	}
	status := strings.TrimPrefix(a.header.Get("Content-Location"), f)
	// the job is the research client's: the operations client does not see it
	if b := call(t, "GET", f+status, ""); b.status != 404 {
		t.Fatalf("another client's export status: %d %s", b.status, b.raw)
	}
	manifest := pollAs(t, f+status, tok)
	var all strings.Builder
	for _, o := range manifest["output"].([]any) {
		req, _ := http.NewRequest("GET", o.(map[string]any)["url"].(string), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("file: %d %s", res.StatusCode, b)
		}
		all.Write(b)
	}
	got := all.String()
	for _, want := range []string{`"id":"exp-agrees"`, `"id":"o-exp-agrees"`, `"id":"exp-youth"`, `"id":"o-exp-youth"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the research export lacks %s", want)
		}
	}
	for _, absent := range []string{"exp-refuses", "o-exp-youth-dpj"} {
		if strings.Contains(got, absent) {
			t.Errorf("the research export holds %s", absent)
		}
	}

	j := m.raw.(dsn.Journal)
	if es, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "exp-agrees", Action: "export"}); len(es) != 1 ||
		!strings.Contains(string(es[0].Body), `"purpose":"HRESCH"`) || !strings.Contains(string(es[0].Body), `"name":"recherche"`) {
		t.Errorf("journal of the exported patient: %d entries %v", len(es), es)
	}
	if es, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "exp-refuses", Action: "export"}); len(es) != 0 {
		t.Errorf("the refusing citizen's record is journaled as exported: %d entries", len(es))
	}

	// dsn export --client: the same policy, the same journal
	out := t.TempDir()
	if code, _, errOut := cli(t, "", "export", "--client", researchID, "--type", "Patient,Observation", "--data", dir, out); code != 0 {
		t.Fatalf("dsn export --client: %d %s", code, errOut)
	}
	var files strings.Builder
	for _, name := range []string{"Patient.ndjson", "Observation.ndjson"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		files.Write(b)
	}
	if s := files.String(); !strings.Contains(s, `"id":"o-exp-agrees"`) || strings.Contains(s, "exp-refuses") || strings.Contains(s, "o-exp-youth-dpj") {
		t.Errorf("dsn export --client wrote:\n%s", s)
	}
	if es, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "exp-agrees", Action: "export"}); len(es) != 2 {
		t.Errorf("journal after dsn export --client: %d export entries of the exported patient, want 2", len(es))
	}
	if code, _, errOut := cli(t, "", "export", "--client", "inconnu", "--data", dir, t.TempDir()); code != 1 || !strings.Contains(errOut, "client inconnu") {
		t.Errorf("unknown client: %d %s", code, errOut)
	}
}

// clientToken registers a back-end client with a purpose of use and missions
// and returns its id and a token of it.
func clientToken(t *testing.T, m *Main, name, scope, purpose string, missions []string) (string, string) {
	t.Helper()
	ctx := context.Background()
	c, secret, err := m.auth.CreateClient(ctx, name, scope, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.auth.SetClientUse(ctx, c.ID, purpose, missions); err != nil {
		t.Fatal(err)
	}
	tok, _, _, err := m.auth.ClientCredentials(ctx, c.ID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, tok
}

// pollAs asks for an export's status with token tok until the manifest comes.
func pollAs(t *testing.T, url, tok string) map[string]any {
	t.Helper()
	for range 1000 {
		a := call(t, "GET", url, "", "Authorization", "Bearer "+tok)
		switch a.status {
		case 200:
			return a.obj
		case 202:
			time.Sleep(20 * time.Millisecond)
		default:
			t.Fatalf("status: %d %s", a.status, a.raw)
		}
	}
	t.Fatal("the export never completes")
	return nil
}
