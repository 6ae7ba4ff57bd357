package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/sqlite"
)

// cli runs a dsn command in-process and returns its exit code and output.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := run(context.Background(), args, env)
	return code, out.String(), errb.String()
}

// TestAccessEndToEnd: clients, users and tokens made by the command line
// while the server runs on the same store work on it at once.
func TestAccessEndToEnd(t *testing.T) {
	dir := t.TempDir()
	_, base, stop := runMain(t, dir)
	defer stop()
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	req, _ := http.NewRequest("GET", base+"/fhir/Patient", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("no token: %v %v", res.StatusCode, err)
	}
	res.Body.Close()

	sc := call(t, "GET", base+"/fhir/.well-known/smart-configuration", "", "Authorization", "")
	if sc.status != 200 || sc.obj["token_endpoint"] != base+"/auth/token" || sc.obj["issuer"] == nil {
		t.Fatalf("smart-configuration: %d %s", sc.status, sc.raw)
	}

	code, out, errOut := cli(t, "", "client", "create", "--name", "labo", "--scope", "system/*.rs", "--data", dir)
	if code != 0 {
		t.Fatalf("client create: %d %s", code, errOut)
	}
	var cred struct{ ClientID, ClientSecret string }
	json.Unmarshal([]byte(strings.ReplaceAll(strings.ReplaceAll(out, "client_id", "ClientID"), "client_secret", "ClientSecret")), &cred)
	if cred.ClientID == "" || len(cred.ClientSecret) < 40 {
		t.Fatalf("client create printed %q", out)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.rs system/Observation.cruds"}}
	treq, _ := http.NewRequest("POST", base+"/auth/token", strings.NewReader(form.Encode()))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	treq.SetBasicAuth(cred.ClientID, cred.ClientSecret)
	tres, err := http.DefaultClient.Do(treq)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(tres.Body).Decode(&tok)
	tres.Body.Close()
	// scope escalation: Observation.cruds is narrowed to rs, the client's registration
	if tres.StatusCode != 200 || tok["token_type"] != "Bearer" || tok["scope"] != "system/Patient.rs system/Observation.rs" {
		t.Fatalf("token endpoint: %d %v", tres.StatusCode, tok)
	}
	at := tok["access_token"].(string)
	if a := call(t, "GET", base+"/fhir/Patient", "", bearer(at)...); a.status != 200 {
		t.Fatalf("search with the client's token: %d %s", a.status, a.raw)
	}
	if a := call(t, "POST", base+"/fhir/Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"}}`, bearer(at)...); a.status != 403 {
		t.Fatalf("create with a read-only token: %d %s", a.status, a.raw)
	}
	treq, _ = http.NewRequest("POST", base+"/auth/token", strings.NewReader("grant_type=client_credentials"))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	treq.SetBasicAuth(cred.ClientID, cred.ClientSecret+"x")
	if tres, _ = http.DefaultClient.Do(treq); tres.StatusCode != 401 {
		t.Fatalf("wrong secret: %d", tres.StatusCode)
	}
	tres.Body.Close()

	code, out, errOut = cli(t, "un mot de passe assez long\n", "user", "create", "--username", "dr.bouchard", "--role", "physician",
		"--establishment", "org-ciusss-mcq", "--practitioner", "prac-1", "--password-stdin", "--data", dir)
	if code != 0 || !strings.Contains(out, `"role":"physician"`) || strings.Contains(out+errOut, "mot de passe assez") {
		t.Fatalf("user create: %d %s %s", code, out, errOut)
	}
	if code, _, errOut = cli(t, "", "user", "create", "--username", "x", "--role", "wizard", "--establishment", "e", "--data", dir); code != 1 || !strings.Contains(errOut, "rôle inconnu") {
		t.Fatalf("bad role: %d %s", code, errOut)
	}
	code, out, errOut = cli(t, "", "token", "--user", "dr.bouchard", "--scope", "user/*.rs", "--data", dir)
	if code != 0 {
		t.Fatalf("token: %d %s", code, errOut)
	}
	if a := call(t, "GET", base+"/fhir/Practitioner", "", bearer(strings.TrimSpace(out))...); a.status != 200 {
		t.Fatalf("search with dsn token: %d %s", a.status, a.raw)
	}
	if code, _, errOut = cli(t, "", "token", "--user", "nobody", "--data", dir); code != 1 || !strings.Contains(errOut, "introuvable") {
		t.Fatalf("unknown user: %d %s", code, errOut)
	}

	// every request above left its entry, the refused ones included
	code, out, errOut = cli(t, "", "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "journal intègre") {
		t.Fatalf("audit verify: %d %s %s", code, out, errOut)
	}
	code, out, errOut = cli(t, "", "audit", "report", "--data", dir)
	if code != 0 || !strings.Contains(out, `"ByAction"`) || !strings.Contains(out, `"denied"`) || !strings.Contains(out, `"token"`) {
		t.Fatalf("audit report: %d %s %s", code, out, errOut)
	}
	st, err := sqlite.Open(context.Background(), dir) // a second process on the store, as the CLI is
	if err != nil {
		t.Fatal(err)
	}
	denied, _ := st.SearchAudit(context.Background(), dsn.AuditQuery{Action: "denied", Agent: "anonymous"})
	reads, _ := st.SearchAudit(context.Background(), dsn.AuditQuery{Agent: "client:" + cred.ClientID})
	st.Close()
	if len(denied) == 0 || len(reads) < 2 {
		t.Fatalf("journal: %d anonymous refusals, %d entries of the client", len(denied), len(reads))
	}
	// the journal's own file, altered from outside: entry 1 (a refusal) made a success
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.JournalFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var data []byte
	if err := db.QueryRow(`SELECT data FROM audit_block WHERE first = 1`).Scan(&data); err != nil {
		t.Fatal(err)
	}
	entries, err := sqlite.DecodeJournalBlock(data)
	if err != nil || entries[0].Seq != 1 || !bytes.Contains(entries[0].Body, []byte(`"status":401`)) {
		t.Fatalf("block 1: %v %v", entries, err)
	}
	entries[0].Body = bytes.Replace(entries[0].Body, []byte(`"status":401`), []byte(`"status":200`), 1)
	if _, err := db.Exec(`UPDATE audit_block SET data = ? WHERE first = 1`, sqlite.EncodeJournalBlock(entries)); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = cli(t, "", "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(errOut, "l'entrée 1:") {
		t.Fatalf("tampered journal: exit %d %s", code, errOut)
	}
}

// --audit-sync takes strict or grouped; anything else stops the server at once.
func TestAuditSyncFlag(t *testing.T) {
	code, _, errOut := cli(t, "", "serve", "--audit-sync", "lazy", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	if code == 0 || !strings.Contains(errOut, "strict ou grouped") {
		t.Fatalf("serve --audit-sync lazy: exit %d %s", code, errOut)
	}
	for _, mode := range []string{"strict", "grouped"} {
		if err := (Config{Addr: "127.0.0.1:0", AuditSync: mode}).validate(); err != nil {
			t.Errorf("--audit-sync %s: %v", mode, err)
		}
	}
}

// dsn user disable: the user's token, already issued, stops working in the
// running server within access.RevocationTTL; dsn token refuses them.
func TestUserDisableRevokesTokens(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	m, err := NewMain(ctx, Config{Addr: "127.0.0.1:0", Store: StoreConfig{DataDir: dir}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; m.Close() })
	if code, _, errOut := cli(t, "a long enough password\n", "user", "create", "--username", "dr.depart", "--role", "physician",
		"--establishment", "e", "--password-stdin", "--data", dir); code != 0 {
		t.Fatalf("user create: %s", errOut)
	}
	code, out, errOut := cli(t, "", "token", "--user", "dr.depart", "--data", dir)
	if code != 0 {
		t.Fatalf("token: %s", errOut)
	}
	auth := []string{"Authorization", "Bearer " + strings.TrimSpace(out)}
	url := "http://" + m.Addr() + "/fhir/Practitioner"
	if a := call(t, "GET", url, "", auth...); a.status != 200 {
		t.Fatalf("before: %d %s", a.status, a.raw)
	}
	if code, out, errOut = cli(t, "", "user", "disable", "--username", "dr.depart", "--data", dir); code != 0 || !strings.Contains(out, "désactivé") {
		t.Fatalf("user disable: %d %s %s", code, out, errOut)
	}
	deadline := time.Now().Add(access.RevocationTTL + 5*time.Second)
	for {
		a := call(t, "GET", url, "", auth...)
		if a.status == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the disabled user's token still works: %d", a.status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, _, errOut = cli(t, "", "token", "--user", "dr.depart", "--data", dir); code != 1 || !strings.Contains(errOut, "désactivé") {
		t.Fatalf("token for a disabled user: %d %s", code, errOut)
	}
	if code, _, errOut = cli(t, "", "user", "disable", "--username", "personne", "--data", dir); code != 1 {
		t.Fatalf("disable an unknown user: %d %s", code, errOut)
	}
	// enabled again: new tokens work, the revoked one stays refused
	if code, out, errOut = cli(t, "", "user", "enable", "--username", "dr.depart", "--data", dir); code != 0 || !strings.Contains(out, "réactivé") {
		t.Fatalf("user enable: %d %s %s", code, out, errOut)
	}
	code, out, errOut = cli(t, "", "token", "--user", "dr.depart", "--data", dir)
	if code != 0 {
		t.Fatalf("token after enable: %s", errOut)
	}
	// a token issued after the cut-off's second works at once
	if a := call(t, "GET", url, "", "Authorization", "Bearer "+strings.TrimSpace(out)); a.status != 200 {
		t.Fatalf("a token issued after enable is refused: %d %s", a.status, a.raw)
	}
	if a := call(t, "GET", url, "", auth...); a.status != 401 {
		t.Fatalf("the token revoked by the disabling works again: %d", a.status)
	}
	if code, _, errOut = cli(t, "", "user", "enable", "--username", "dr.depart", "--data", dir); code != 1 || !strings.Contains(errOut, "pas désactivé") {
		t.Fatalf("enable an enabled user: %d %s", code, errOut)
	}
}

// --access off serves the FHIR API without token, policy or journal (the
// baseline of issue 6's overhead target), on a loopback address only.
func TestAccessOffLoopbackOnly(t *testing.T) {
	code, _, errOut := cli(t, "", "serve", "--access", "off", "--addr", "0.0.0.0:0", "--data", t.TempDir())
	if code == 0 || !strings.Contains(errOut, "boucle locale") { // French by default (DSN_LANG)
		t.Fatalf("serve --access off on 0.0.0.0: exit %d %s", code, errOut)
	}
	if err := (Config{Addr: "127.0.0.1:0", Access: "maybe"}).validate(); err == nil {
		t.Fatal("--access maybe accepted")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	m, err := NewMain(ctx, Config{Addr: "127.0.0.1:0", Access: "off", Store: StoreConfig{DataDir: dir}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	base := "http://" + m.Addr() + "/fhir/"
	// plain requests, without any Authorization header
	res, err := http.Post(base+"Patient", "application/fhir+json", strings.NewReader(`{"resourceType":"Patient","gender":"female"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res2, err := http.Get(base + "Patient?gender=female")
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res.StatusCode != 201 || res2.StatusCode != 200 {
		t.Fatalf("open server without token: create %d, search %d", res.StatusCode, res2.StatusCode)
	}
	entries, err := m.raw.(dsn.Journal).SearchAudit(context.Background(), dsn.AuditQuery{Count: 10})
	if err != nil || len(entries) != 0 {
		t.Fatalf("--access off journaled %d entries (%v)", len(entries), err)
	}
	cancel()
	<-done
	m.Close()
}
