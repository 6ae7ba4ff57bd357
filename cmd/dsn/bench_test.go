package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// startBenchServer runs the real server (Main on SQLite in a temporary
// directory) on a free loopback port and returns its FHIR base URL.
func startBenchServer(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m, err := NewMain(ctx, Config{Store: StoreConfig{DataDir: t.TempDir()}, Addr: "127.0.0.1:0"},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	systemToken(t, m)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		m.Close()
	})
	return "http://" + m.Addr() + "/fhir"
}

// TestBenchCommand runs `dsn bench` for about a second against the real
// server with transaction Bundles, then checks that what it reports was
// really written.
func TestBenchCommand(t *testing.T) {
	base := startBenchServer(t)
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	tok, _ := tokens.Load(strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/fhir"))
	code := run(context.Background(), []string{"bench", "--url", base, "--token", tok.(string), "--scenario", "transaction",
		"--concurrency", "2", "--duration", "1s", "--warmup", "0s", "--json"}, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Requests  int                `json:"requests"`
		Errors    int                `json:"errors"`
		Resources int                `json:"resources"`
		Latency   map[string]float64 `json:"latencyMs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if out.Requests == 0 || out.Errors != 0 || out.Resources != 26*out.Requests {
		t.Errorf("report %+v", out)
	}
	if out.Latency["p50"] <= 0 || out.Latency["max"] < out.Latency["p99"] {
		t.Errorf("latency %v", out.Latency)
	}
	// Every reported Bundle wrote one Patient with a NAM: count them on the
	// server (registrations only: each also got a golden record, mpi/provincial).
	req, _ := http.NewRequest("GET", base+"/Patient?identifier=https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id|&_tag:not=urn:dsn:codesystem:mpi|golden&_total=accurate&_count=1", nil)
	authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var bundle struct{ Total int }
	if err := json.NewDecoder(resp.Body).Decode(&bundle); err != nil {
		t.Fatal(err)
	}
	if bundle.Total != out.Requests {
		t.Errorf("server holds %d patients with a NAM, bench reported %d bundles", bundle.Total, out.Requests)
	}

	// The text report of a read run on the same server.
	stdout.Reset()
	code = run(context.Background(), []string{"bench", "--url", base, "--token", tok.(string), "--scenario", "read", "--seed-size", "5",
		"--concurrency", "2", "--duration", "300ms", "--warmup", "100ms"}, env)
	if code != 0 || !strings.Contains(stdout.String(), "errors     0") || !strings.Contains(stdout.String(), "p99") {
		t.Errorf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
}

func TestBenchRefusesRemoteURL(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	code := run(context.Background(), []string{"bench", "--url", "http://example.org/fhir", "--duration", "1s"}, env)
	if code != 1 || !strings.Contains(stderr.String(), "boucle locale") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// The search scenarios of issue 3 (and $match, issue 5) run against a store loaded with dsn synth
// and dsn import, through the real server: every request is answered 2xx.
func TestBenchLoadedScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	pop, data := t.TempDir(), t.TempDir()
	if code, out, errs := runCmd(t, "synth", "--patients", "30", "--out", pop); code != 0 {
		t.Fatalf("synth: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCmd(t, "import", "--data", data, "--errors", filepath.Join(t.TempDir(), "e.ndjson"), pop); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m, err := NewMain(ctx, Config{Store: StoreConfig{DataDir: data}, Addr: "127.0.0.1:0"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done; m.Close() }()
	base := "http://" + m.Addr() + "/fhir"
	tok := systemToken(t, m)
	for _, sc := range []string{"search-observation", "search-encounter", "search-medication", "search-demographics",
		"search-identifier", "everything", "population-count", "match"} {
		code, out, errs := runCmd(t, "bench", "--url", base, "--token", tok, "--scenario", sc, "--concurrency", "2", "--duration", "2s",
			"--warmup", "0s", "--max-requests", "30", "--seed-size", "20", "--json")
		var res struct {
			Requests, Errors int
		}
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Requests == 0 || res.Errors != 0 {
			t.Errorf("%s: exit %d, %s %s", sc, code, out, errs)
		}
	}
}
