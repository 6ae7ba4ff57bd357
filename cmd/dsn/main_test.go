package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// startMain runs the real Main on a free loopback port over a temporary data
// directory and returns its base URL; cleanup cancels it and checks that it
// stops gracefully.
func startMain(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := Config{Addr: "127.0.0.1:0", Store: StoreConfig{DataDir: t.TempDir()}}
	m, err := NewMain(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	base := "http://" + m.Addr()
	systemToken(t, m)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Error("the server still answers after shutdown")
		}
	})
	return base
}

// tokens maps a test server's host:port to a bearer token of a back-end
// client with every scope (system/*.cruds): the tests that are not about
// access control call the API as such a system would.
var tokens sync.Map

// clients maps a store (its Describe) to the tests' client registered on it
// ([2]string{id, secret}): a server restarted on the same store keeps the
// same client, so that it still owns the export jobs it asked for.
var clients sync.Map

// systemToken registers that client on m's store (once) and keeps its token.
func systemToken(t testing.TB, m *Main) string {
	t.Helper()
	ctx := context.Background()
	key := m.cfg.Store.Describe()
	if cred, ok := clients.Load(key); ok {
		tok, _, _, err := m.auth.ClientCredentials(ctx, cred.([2]string)[0], cred.([2]string)[1], "")
		if err == nil { // else a new store at the same place: register again
			tokens.Store(m.Addr(), tok)
			return tok
		}
	}
	c, secret, err := m.auth.CreateClient(ctx, "tests", "system/*.cruds", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	clients.Store(key, [2]string{c.ID, secret})
	tok, _, _, err := m.auth.ClientCredentials(ctx, c.ID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	tokens.Store(m.Addr(), tok)
	return tok
}

// authorize adds the system token of the request's server, if it has one.
func authorize(req *http.Request) {
	if tok, ok := tokens.Load(req.URL.Host); ok && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+tok.(string))
	}
}

type answer struct {
	status int
	header http.Header
	obj    map[string]any
	raw    []byte
}

func call(t *testing.T, method, url, body string, hdr ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	authorize(req)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &a.obj); err != nil {
			t.Fatalf("%s %s: body is not JSON: %.200s", method, url, raw)
		}
	}
	return a
}

func TestMainEndToEnd(t *testing.T) {
	base := startMain(t)
	fhirBase := base + "/fhir"
	if a := call(t, "GET", base+"/healthz", ""); a.status != 200 {
		t.Fatalf("healthz: %d", a.status)
	}
	if a := call(t, "GET", fhirBase+"/metadata", ""); a.status != 200 || a.obj["resourceType"] != "CapabilityStatement" {
		t.Fatalf("metadata: %d %.200s", a.status, a.raw)
	}
	c := call(t, "POST", fhirBase+"/Patient", `{"resourceType":"Patient","name":[{"family":"Gagnon","given":["Marie"]}],"gender":"female"}`)
	if c.status != 201 || c.header.Get("Location") == "" {
		t.Fatalf("create: %d %s", c.status, c.raw)
	}
	id := c.obj["id"].(string)
	p := fhirBase + "/Patient/" + id
	if r := call(t, "GET", p, ""); r.status != 200 || r.obj["gender"] != "female" || r.header.Get("ETag") != `W/"1"` {
		t.Fatalf("read: %d %s", r.status, r.raw)
	}
	upd := `{"resourceType":"Patient","id":"` + id + `","gender":"male"}`
	if u := call(t, "PUT", p, upd, "If-Match", `W/"1"`); u.status != 200 || u.header.Get("ETag") != `W/"2"` {
		t.Fatalf("update: %d %s", u.status, u.raw)
	}
	if v := call(t, "GET", p+"/_history/1", ""); v.status != 200 || v.obj["gender"] != "female" {
		t.Fatalf("vread: %d %s", v.status, v.raw)
	}
	if h := call(t, "GET", p+"/_history", ""); h.status != 200 || h.obj["total"] != float64(2) {
		t.Fatalf("history: %d %s", h.status, h.raw)
	}
	if d := call(t, "DELETE", p, ""); d.status != 204 {
		t.Fatalf("delete: %d", d.status)
	}
	if g := call(t, "GET", p, ""); g.status != 410 || g.obj["resourceType"] != "OperationOutcome" {
		t.Fatalf("read after delete: %d %s", g.status, g.raw)
	}
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:9a0d3f0e-6c4e-4c59-a1d2-7f1b1f9f2a10","resource":{"resourceType":"Patient","name":[{"family":"Roy"}]},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"urn:uuid:9a0d3f0e-6c4e-4c59-a1d2-7f1b1f9f2a10"}},"request":{"method":"POST","url":"Encounter"}}]}`
	r := call(t, "POST", fhirBase, tx)
	if r.status != 200 || r.obj["type"] != "transaction-response" {
		t.Fatalf("transaction: %d %s", r.status, r.raw)
	}
	entries := r.obj["entry"].([]any)
	patLoc := entries[0].(map[string]any)["response"].(map[string]any)["location"].(string)
	encLoc := entries[1].(map[string]any)["response"].(map[string]any)["location"].(string)
	enc := call(t, "GET", fhirBase+"/"+encLoc, "")
	want := strings.Join(strings.Split(patLoc, "/")[:2], "/")
	if ref := enc.obj["subject"].(map[string]any)["reference"]; ref != want {
		t.Fatalf("urn:uuid reference: %v, want %s", ref, want)
	}
	if s := call(t, "GET", fhirBase+"/Encounter?subject="+want, ""); s.status != 200 || len(s.obj["entry"].([]any)) != 1 {
		t.Fatalf("search by the rewritten reference: %d %s", s.status, s.raw)
	}
}
