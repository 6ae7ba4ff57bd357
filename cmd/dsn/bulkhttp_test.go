package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"dsn/fhir"
	"dsn/internal/pgtest"
	"dsn/mpi/provincial"
	"dsn/synth"
)

// server is a running Main that a test can stop and start again.
type server struct {
	base string
	stop func()
	m    *Main
}

// startOn runs the real Main on store sc and a free loopback port.
func startOn(t *testing.T, sc StoreConfig) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m, err := NewMain(ctx, Config{Addr: "127.0.0.1:0", Store: sc}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	systemToken(t, m) // bulk export is for back-end systems
	stopped := false
	s := &server{base: "http://" + m.Addr() + "/fhir", m: m}
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	t.Cleanup(s.stop)
	return s
}

// synthDir writes n synthetic people as NDJSON and returns the directory.
func synthDir(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := writeSynth(context.Background(), synth.New(synth.Options{Seed: 7, Patients: n}), dir, false); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "truth.ndjson"))
	return dir
}

// kickoff starts an export and returns the status URL (path and query only,
// so that it can be asked of a restarted server on another port).
func kickoff(t *testing.T, s *server, path string) string {
	t.Helper()
	a := call(t, "GET", s.base+path, "", "Prefer", "respond-async", "Accept", "application/fhir+json")
	loc := a.header.Get("Content-Location")
	if a.status != 202 || !strings.HasPrefix(loc, s.base+"/$export-status?") {
		t.Fatalf("kick-off %s: %d %s, Content-Location %q", path, a.status, a.raw, loc)
	}
	return strings.TrimPrefix(loc, s.base)
}

// poll asks for an export's status until the manifest comes (200).
func poll(t *testing.T, s *server, status string) map[string]any {
	t.Helper()
	a := pollDone(t, s.base+status, "export")
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("manifest Content-Type %q", ct)
	}
	return a.obj
}

// pollDone asks for the status of an async job ($export, $import) at url
// until it completes (200); each 202 must carry X-Progress.
func pollDone(t *testing.T, url, job string) answer {
	t.Helper()
	for range 3000 {
		a := call(t, "GET", url, "")
		switch a.status {
		case 200:
			return a
		case 202:
			if a.header.Get("X-Progress") == "" {
				t.Fatal("202 without X-Progress")
			}
			time.Sleep(20 * time.Millisecond)
		default:
			t.Fatalf("%s status: %d %s", job, a.status, a.raw)
		}
	}
	t.Fatalf("the %s never completes", job)
	return answer{}
}

// download fetches every file of a manifest into dir (Type.N.ndjson), checks
// its media type and line count, and returns the lines per type.
func download(t *testing.T, m map[string]any, dir string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i, o := range m["output"].([]any) {
		f := o.(map[string]any)
		req, _ := http.NewRequest("GET", f["url"].(string), nil)
		authorize(req)
		res, err := http.DefaultClient.Do(req) // the Go client asks for gzip and inflates it
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/fhir+ndjson" || !res.Uncompressed {
			t.Fatalf("file %v: %d %q gzip=%v %.200s", f["url"], res.StatusCode, res.Header.Get("Content-Type"), res.Uncompressed, body)
		}
		n := bytes.Count(body, []byte("\n"))
		if float64(n) != f["count"].(float64) {
			t.Fatalf("file %v: %d lines, manifest count %v", f["url"], n, f["count"])
		}
		typ := f["type"].(string)
		got[typ] += n
		if dir != "" {
			os.WriteFile(filepath.Join(dir, typ+"."+strconv.Itoa(i)+".ndjson"), body, 0o644)
		}
	}
	return got
}

// contents reads the NDJSON files of dirs and returns each resource as
// fhir.Encode gives it without meta.versionId, meta.lastUpdated and the
// links the MPI manages (the content a round trip must keep), sorted.
func contents(t *testing.T, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 1<<20), 16<<20)
			for sc.Scan() {
				obj, err := fhir.Decode(sc.Bytes())
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if m, ok := obj["meta"].(map[string]any); ok {
					delete(m, "versionId")
					delete(m, "lastUpdated")
				}
				provincial.StripManaged(obj)
				out = append(out, string(fhir.Encode(obj)))
			}
			fh.Close()
		}
	}
	sort.Strings(out)
	return out
}

func sameContents(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d resources, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s differs:\n%.300s\nwant\n%.300s", what, got[i], want[i])
		}
	}
}

// The Bulk Data lifecycle over real HTTP: kick-off errors, poll, manifest,
// gzip downloads, Group and Patient levels, cancel, and a job that survives
// a restart of the server.
func TestBulkExportLifecycle(t *testing.T) {
	data := t.TempDir()
	in := synthDir(t, 6)
	if code, out, errs := runCmd(t, "import", "--data", data, "--errors", filepath.Join(t.TempDir(), "e"), in); code != 0 {
		t.Fatalf("import: %s %s", out, errs)
	}
	s := startOn(t, StoreConfig{DataDir: data})
	for _, bad := range []struct {
		path, prefer string
		status       int
	}{
		{"/$export", "", 400}, // no Prefer: respond-async
		{"/$export?_outputFormat=text/csv", "respond-async", 400},
		{"/$export?_type=Nope", "respond-async", 400},
		{"/$export?_since=yesterday", "respond-async", 400},
		{"/$export?_typeFilter=Patient%3Fgender%3Dmale", "respond-async", 400},
		{"/Group/nobody/$export", "respond-async", 404},
		{"/$export-status?_jobId=nobody", "", 404},
		{"/$export-file?_jobId=nobody&file=1", "", 404},
	} {
		if a := call(t, "GET", s.base+bad.path, "", "Prefer", bad.prefer); a.status != bad.status || a.obj["resourceType"] != "OperationOutcome" {
			t.Errorf("%s: %d %.200s, want %d with an OperationOutcome", bad.path, a.status, a.raw, bad.status)
		}
	}
	if a := call(t, "GET", s.base+"/$export?_typeFilter=x", "", "Prefer", "respond-async, handling=lenient"); a.status != 202 {
		t.Errorf("lenient _typeFilter: %d %s", a.status, a.raw)
	}
	caps := call(t, "GET", s.base+"/metadata", "")
	if !strings.Contains(string(caps.raw), "OperationDefinition/group-export") || !strings.Contains(string(caps.raw), "CapabilityStatement/bulk-data") {
		t.Error("the CapabilityStatement does not declare $export")
	}

	// system level, two types
	status := kickoff(t, s, "/$export?_type=Patient,Observation&_outputFormat=application/fhir%2Bndjson")
	m := poll(t, s, status)
	if !strings.HasSuffix(m["request"].(string), "/$export?_type=Patient,Observation&_outputFormat=application/fhir%2Bndjson") ||
		m["transactionTime"] == "" || m["requiresAccessToken"] != true {
		t.Fatalf("manifest: %v", m)
	}
	got := download(t, m, "")
	want := inputCounts(t, in)
	if len(got) != 2 || got["Patient"] != want["Patient"] || got["Observation"] != want["Observation"] {
		t.Fatalf("exported %v, input has Patient %d Observation %d", got, want["Patient"], want["Observation"])
	}

	// Group level: two patients' compartments only
	group := `{"resourceType":"Group","id":"cohorte","type":"person","actual":true,"member":[{"entity":{"reference":"Patient/pat-0000001"}},{"entity":{"reference":"Patient/pat-0000003"}}]}`
	if a := call(t, "PUT", s.base+"/Group/cohorte", group); a.status != 201 {
		t.Fatalf("group: %d %s", a.status, a.raw)
	}
	m = poll(t, s, kickoff(t, s, "/Group/cohorte/$export?_type=Patient"))
	if got := download(t, m, ""); got["Patient"] != 2 || len(got) != 1 {
		t.Fatalf("group export: %v", got)
	}
	m = poll(t, s, kickoff(t, s, "/Patient/$export?_type=Patient,Encounter"))
	if got := download(t, m, ""); got["Patient"] != want["Patient"] || got["Encounter"] != want["Encounter"] {
		t.Fatalf("patient-level export: %v, want Patient %d Encounter %d", got, want["Patient"], want["Encounter"])
	}

	// cancel: 202, then the status and the files are gone
	status = kickoff(t, s, "/$export")
	if a := call(t, "DELETE", s.base+status, ""); a.status != 202 {
		t.Fatalf("delete: %d %s", a.status, a.raw)
	}
	if a := call(t, "GET", s.base+status, ""); a.status != 404 {
		t.Fatalf("status after delete: %d", a.status)
	}
	if a := call(t, "DELETE", s.base+status, ""); a.status != 404 {
		t.Fatalf("second delete: %d", a.status)
	}

	// a job kicked off just before a stop is found (finished or begun again) after the restart
	status = kickoff(t, s, "/$export?_type=Observation")
	s.stop()
	s = startOn(t, StoreConfig{DataDir: data})
	if got := download(t, poll(t, s, status), ""); got["Observation"] != want["Observation"] {
		t.Fatalf("export across a restart: %v, want Observation %d", got, want["Observation"])
	}
}

// inputCounts counts the lines per resource type of a dsn synth directory.
func inputCounts(t *testing.T, dir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".ndjson")] = bytes.Count(b, []byte("\n"))
	}
	return out
}

// Import → export (CLI and $export) → import into a fresh store gives the
// same resources, on SQLite and on PostgreSQL.
func TestBulkRoundTrip(t *testing.T) {
	in := synthDir(t, 4)
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			load := func(sc StoreConfig, dir string) {
				t.Helper()
				args := []string{"import", "--errors", filepath.Join(t.TempDir(), "e"), "--state", filepath.Join(t.TempDir(), "s")}
				if code, out, errs := runCmd(t, append(append(args, storeArgs(sc)...), dir)...); code != 0 {
					t.Fatalf("import %s: %s %s", dir, out, errs)
				}
			}
			a := freshStore(t, kind)
			load(a, in)
			cli := t.TempDir()
			if code, out, errs := runCmd(t, append(append([]string{"export"}, storeArgs(a)...), cli)...); code != 0 {
				t.Fatalf("export: %s %s", out, errs)
			}
			s := startOn(t, a)
			viaHTTP := t.TempDir()
			download(t, poll(t, s, kickoff(t, s, "/$export")), viaHTTP)
			s.stop()
			want := contents(t, in)
			sameContents(t, "dsn export", contents(t, cli), want)
			sameContents(t, "$export", contents(t, viaHTTP), want)
			for name, dir := range map[string]string{"dsn export": cli, "$export": viaHTTP} {
				b := freshStore(t, kind)
				load(b, dir)
				again := t.TempDir()
				if code, out, errs := runCmd(t, append(append([]string{"export"}, storeArgs(b)...), again)...); code != 0 {
					t.Fatalf("export of the re-import: %s %s", out, errs)
				}
				sameContents(t, "re-import of "+name, contents(t, again), want)
			}
		})
	}
}

func storeArgs(sc StoreConfig) []string {
	if sc.DBURL != "" {
		return []string{"--db", sc.DBURL}
	}
	return []string{"--data", sc.DataDir}
}

// pgSchema makes a fresh schema in the test database and returns the URL
// that selects it; skipped without PostgreSQL, fatal under CI=true.
func pgSchema(t *testing.T) string { return pgtest.Schema(t, "dsn_cmd") }

// freshStore is an empty store of kind: "postgres", a schema of the test
// server dropped at the end (pgSchema); otherwise a temporary SQLite directory.
func freshStore(t *testing.T, kind string) StoreConfig {
	if kind == "postgres" {
		return StoreConfig{DBURL: pgSchema(t)}
	}
	return StoreConfig{DataDir: t.TempDir()}
}
