package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
)

// TestClientLifecycle: dsn client disable|enable|delete on a running
// server, on SQLite and PostgreSQL. Disabled, a client's tokens (its own and
// the ones its app users hold) get 401, it gets no new token, and a running
// $export of it stops and is marked failed with a French message; enabled,
// it gets new tokens while the revoked ones stay refused; deleted, it can
// never come back and the journal's entries naming it stay verifiable.
func TestClientLifecycle(t *testing.T) {
	in := synthDir(t, 30)
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			sc := freshStore(t, kind)
			args := append([]string{"import", "--errors", filepath.Join(t.TempDir(), "e"), "--state", filepath.Join(t.TempDir(), "s")}, storeArgs(sc)...)
			if code, out, errs := runCmd(t, append(args, in)...); code != 0 {
				t.Fatalf("import: %s %s", out, errs)
			}
			s := startOn(t, sc)
			testClientLifecycle(t, s, sc)
		})
	}
}

// clientCredentials asks the token endpoint for a token of a back-end client.
func clientCredentials(t *testing.T, base, id, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/auth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	tok, _ := out["access_token"].(string)
	return res.StatusCode, tok
}

func testClientLifecycle(t *testing.T, s *server, sc StoreConfig) {
	ctx := context.Background()
	m, base := s.m, strings.TrimSuffix(s.base, "/fhir")
	store := storeArgs(sc)
	code, out, errOut := cli(t, "", append([]string{"client", "create", "--name", "entrepot", "--scope", "system/*.rs"}, store...)...)
	if code != 0 {
		t.Fatalf("client create: %s", errOut)
	}
	var cred struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	json.Unmarshal([]byte(out), &cred)
	st, tok := clientCredentials(t, base, cred.ID, cred.Secret)
	if st != 200 || fhirStatus(t, base, tok) != 200 {
		t.Fatalf("client token: %d", st)
	}
	// an app whose user holds tokens issued to it
	if _, err := m.auth.CreateUser(ctx, access.NewUser{Username: "dr.appli", Role: access.RolePhysician, Establishment: "e",
		Password: "un mot de passe solide"}); err != nil {
		t.Fatal(err)
	}
	const scope = "offline_access user/*.rs"
	ap := newApp(t, m, base, scope, true)
	user := ap.tokens("dr.appli", "un mot de passe solide", scope)

	// disable: every token of the client refused, none issued
	if code, out, errOut = cli(t, "", append([]string{"client", "disable", "--id", cred.ID}, store...)...); code != 0 || !strings.Contains(out, "désactivé") {
		t.Fatalf("client disable: %d %s %s", code, out, errOut)
	}
	statusNow(t, base, tok, 401)
	if st, _ := clientCredentials(t, base, cred.ID, cred.Secret); st != 401 {
		t.Fatalf("token for a disabled client: %d", st)
	}
	if code, out, errOut = cli(t, "", append([]string{"client", "disable", "--id", ap.id}, store...)...); code != 0 {
		t.Fatalf("app disable: %d %s %s", code, out, errOut)
	}
	statusNow(t, base, user["access_token"].(string), 401)
	if st, out := ap.refresh(user["refresh_token"].(string)); st != 401 || out["error"] != "invalid_client" {
		t.Fatalf("refresh for a disabled app: %d %v", st, out)
	}
	if res, _ := browser().Get(base + "/auth/authorize?" + ap.authorizeQuery(scope).Encode()); res.StatusCode != 400 {
		t.Fatalf("authorize for a disabled app: %d", res.StatusCode)
	}

	// enable: new tokens, the revoked ones stay refused; the app's refresh
	// token was deleted with the disabling
	if code, out, errOut = cli(t, "", append([]string{"client", "enable", "--id", cred.ID}, store...)...); code != 0 || !strings.Contains(out, "réactivé") {
		t.Fatalf("client enable: %d %s %s", code, out, errOut)
	}
	st, tok2 := clientCredentials(t, base, cred.ID, cred.Secret)
	if st != 200 || fhirStatus(t, base, tok2) != 200 || fhirStatus(t, base, tok) != 401 {
		t.Fatalf("after enable: %d new=%d old=%d", st, fhirStatus(t, base, tok2), fhirStatus(t, base, tok))
	}
	if code, _, _ = cli(t, "", append([]string{"client", "enable", "--id", ap.id}, store...)...); code != 0 {
		t.Fatal("app enable")
	}
	if st, _ := ap.refresh(user["refresh_token"].(string)); st != 400 {
		t.Fatalf("a refresh token of the disabling works again: %d", st)
	}

	// a running export stops and fails when its client is disabled (in this
	// process: the run's last look before serving catches it at once)
	stopped := false
	for attempt := 0; attempt < 3 && !stopped; attempt++ {
		st, tok3 := clientCredentials(t, base, cred.ID, cred.Secret)
		if st != 200 {
			t.Fatalf("token for the export: %d", st)
		}
		a := call(t, "GET", base+"/fhir/$export", "", "Prefer", "respond-async", "Authorization", "Bearer "+tok3)
		loc, _ := url.Parse(a.header.Get("Content-Location"))
		if a.status != 202 || loc == nil {
			t.Fatalf("kick-off: %d %s", a.status, a.raw)
		}
		job := loc.Query().Get("_jobId")
		if _, err := m.auth.DisableClient(ctx, cred.ID); err != nil {
			t.Fatal(err)
		}
		j := waitJob(t, m, job)
		if j.Status == dsn.ExportCompleted {
			t.Logf("attempt %d: the export ended before the disabling", attempt)
		} else if j.Status != dsn.ExportFailed || !strings.Contains(j.Error, "export arrêté") || !strings.Contains(j.Error, "désactivé") {
			t.Fatalf("export of a disabled client: %s %q", j.Status, j.Error)
		} else {
			stopped = true
			if len(j.Output) != 0 {
				t.Fatalf("a stopped export keeps files: %v", j.Output)
			}
			// over HTTP, once the client is back: 500 with the French reason
			if _, err := m.auth.EnableClient(ctx, cred.ID); err != nil {
				t.Fatal(err)
			}
			_, tok4 := clientCredentials(t, base, cred.ID, cred.Secret)
			a := call(t, "GET", base+"/fhir/$export-status?_jobId="+job, "", "Authorization", "Bearer "+tok4)
			if a.status != 500 || !strings.Contains(string(a.raw), "désactivé") {
				t.Fatalf("status of the stopped export: %d %s", a.status, a.raw)
			}
		}
		if !stopped {
			m.auth.EnableClient(ctx, cred.ID)
		}
	}
	if !stopped {
		t.Fatal("every export ended before its client was disabled")
	}

	// delete: for good; the journal keeps naming the client and verifies
	if code, out, errOut = cli(t, "", append([]string{"client", "delete", "--id", cred.ID}, store...)...); code != 0 || !strings.Contains(out, "supprimé") {
		t.Fatalf("client delete: %d %s %s", code, out, errOut)
	}
	if st, _ := clientCredentials(t, base, cred.ID, cred.Secret); st != 401 {
		t.Fatalf("token for a deleted client: %d", st)
	}
	statusNow(t, base, tok2, 401)
	if code, _, errOut = cli(t, "", append([]string{"client", "enable", "--id", cred.ID}, store...)...); code != 1 || !strings.Contains(errOut, "supprimé") {
		t.Fatalf("enable a deleted client: %d %s", code, errOut)
	}
	c, err := m.auth.Client(ctx, cred.ID)
	if err != nil || c.Name != "entrepot" || c.SecretHash != "" || c.Deleted.IsZero() {
		t.Fatalf("the deleted client's record: %+v %v", c, err)
	}
	es, err := m.raw.(dsn.Journal).SearchAudit(ctx, dsn.AuditQuery{Agent: "client:" + cred.ID, Count: 1000})
	if err != nil || len(es) == 0 {
		t.Fatalf("journal entries of the deleted client: %d %v", len(es), err)
	}
	if code, out, errOut = cli(t, "", append([]string{"audit", "verify"}, store...)...); code != 0 {
		t.Fatalf("audit verify after delete: %s %s", out, errOut)
	}
	// bad input: one line, exit 1
	for _, args := range [][]string{{"client", "disable"}, {"client", "disable", "--id", "inconnu"}, {"client", "delete", "--id", cred.ID}} {
		code, _, errOut := cli(t, "", append(args, store...)...)
		if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Fatalf("%v: %d %q", args, code, errOut)
		}
	}
}

// waitJob waits for an export job to end and returns it.
func waitJob(t *testing.T, m *Main, id string) dsn.ExportJob {
	t.Helper()
	for range 1500 {
		j, err := m.raw.(dsn.ExportJobs).ExportJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == dsn.ExportCompleted || j.Status == dsn.ExportFailed {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the export never ends")
	return dsn.ExportJob{}
}
