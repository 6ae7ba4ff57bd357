package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBenchCommand runs `dsn bench` for a short while against a server that
// accepts creates, and checks that the report counts what the server saw.
func TestBenchCommand(t *testing.T) {
	var created atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/fhir/Patient" || r.Header.Get("Content-Type") != "application/fhir+json" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		n := created.Add(1)
		w.Header().Set("Location", fmt.Sprintf("/fhir/Patient/%d/_history/1", n))
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	code := run(context.Background(), []string{"bench", "--url", srv.URL + "/fhir", "--scenario", "create",
		"--concurrency", "2", "--duration", "300ms", "--warmup", "0s", "--json"}, env)
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
	if out.Requests == 0 || out.Errors != 0 || out.Resources != out.Requests || int64(out.Requests) != created.Load() {
		t.Errorf("report %+v, server created %d", out, created.Load())
	}
	if out.Latency["p50"] <= 0 || out.Latency["max"] < out.Latency["p99"] {
		t.Errorf("latency %v", out.Latency)
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
