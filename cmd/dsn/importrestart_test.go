package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
)

// $import jobs live in the store (migration 0008): on SQLite and PostgreSQL,
// a job stopped by a restart between two inputs resumes with the next input
// (the done one is neither fetched nor imported again); a job a crash left
// in the middle of an input resumes after its checkpoint line, or from the
// start if the URL now gives other bytes; a job fed by an upload that did
// not survive fails with a French message (500 + OperationOutcome) and can
// still be deleted.
func TestImportJobsRestart(t *testing.T) {
	in := synthDir(t, 3)
	want := inputCounts(t, in)
	patients := func(prefix string) string {
		var b strings.Builder
		for i := 1; i <= 4; i++ {
			fmt.Fprintf(&b, `{"resourceType":"Patient","id":"%s-%d","gender":"female"}`+"\n", prefix, i)
		}
		return b.String()
	}
	var patientGets atomic.Int32
	blocked := make(chan struct{}, 1) // a request reached /slow.ndjson
	release := make(chan struct{})    // closed: /slow.ndjson is served
	files := http.FileServer(http.Dir(in))
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/Patient.ndjson":
			patientGets.Add(1)
		case "/slow.ndjson":
			select {
			case blocked <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			r.URL.Path = "/Observation.ndjson"
		case "/resume.ndjson":
			io.WriteString(w, patients("resume"))
			return
		case "/changed.ndjson":
			io.WriteString(w, patients("changed"))
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer src.Close()

	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			sc := freshStore(t, kind)
			release = make(chan struct{})
			select { // a signal left by the previous subtest's resumed fetch
			case <-blocked:
			default:
			}
			patientGets.Store(0)
			s := startOn(t, sc)
			jobs := s.m.raw.(dsn.ImportJobs)
			ctx := context.Background()

			// 1. a real restart while the second input is being fetched
			params := fmt.Sprintf(`{"input":[{"type":"Patient","url":"%[1]s/Patient.ndjson"},{"type":"Observation","url":"%[1]s/slow.ndjson"}]}`, src.URL)
			status := strings.TrimPrefix(importKick(t, s, params, "application/json"), s.base)
			id := strings.TrimPrefix(status, "/$import-status?_jobId=")
			<-blocked
			j, err := jobs.ImportJob(ctx, id)
			if err != nil || j.Status != dsn.ImportRunning || !j.Inputs[0].Done || j.Inputs[0].Created != want["Patient"] || j.Inputs[1].Done {
				t.Fatalf("before the restart: %+v, %v", j, err)
			}

			// 2. what a crash leaves: a job in the middle of an input (line 2 of 4
			// committed), the same with a URL whose content changed since, and a
			// job whose uploaded body is gone
			sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
			now := time.Now().UTC()
			seed := func(id string, in dsn.ImportInput) {
				in.Line = 2
				j := dsn.ImportJob{ID: id, Status: dsn.ImportRunning, Request: s.base + "/$import", Created: now, Updated: now,
					TransactionTime: now, Done: 2, Inputs: []dsn.ImportInput{in}}
				if err := jobs.CreateImportJob(ctx, j); err != nil {
					t.Fatal(err)
				}
			}
			seed("crash-resume", dsn.ImportInput{Type: "Patient", URL: src.URL + "/resume.ndjson", Created: 2,
				Size: int64(len(patients("resume"))), SHA256: sum(patients("resume"))})
			seed("crash-changed", dsn.ImportInput{Type: "Patient", URL: src.URL + "/changed.ndjson", Created: 2,
				Size: int64(len(patients("old"))), SHA256: sum(patients("old"))})
			seed("crash-upload", dsn.ImportInput{URL: dsn.ImportUpload, Staged: filepath.Join(t.TempDir(), "gone.ndjson")})

			s.stop()
			close(release)
			s = startOn(t, sc)

			res := pollImport(t, s.base+status)
			out := res["output"].([]any)
			p, o := out[0].(map[string]any), out[1].(map[string]any)
			if p["created"] != float64(want["Patient"]) || o["created"] != float64(want["Observation"]) || len(res["error"].([]any)) != 0 {
				t.Errorf("job across the restart: %v; want Patient created %d, Observation created %d", res, want["Patient"], want["Observation"])
			}
			if n := patientGets.Load(); n != 1 {
				t.Errorf("the input done before the restart was fetched %d times, want 1", n)
			}

			res = pollImport(t, s.base+"/$import-status?_jobId=crash-resume")
			if e := res["output"].([]any)[0].(map[string]any); e["created"] != float64(4) || e["count"] != float64(4) {
				t.Errorf("resumed job: %v, want 4 created (2 before the crash, 2 after)", res)
			}
			for i, code := range []int{404, 404, 200, 200} {
				if a := call(t, "GET", fmt.Sprintf("%s/Patient/resume-%d", s.base, i+1), ""); a.status != code {
					t.Errorf("Patient/resume-%d: %d, want %d (lines up to the checkpoint are not read again)", i+1, a.status, code)
				}
			}
			res = pollImport(t, s.base+"/$import-status?_jobId=crash-changed")
			if e := res["output"].([]any)[0].(map[string]any); e["created"] != float64(4) {
				t.Errorf("job whose input changed: %v, want all 4 lines imported again", res)
			}
			if a := call(t, "GET", s.base+"/Patient/changed-1", ""); a.status != 200 {
				t.Errorf("changed input begun again: Patient/changed-1 %d", a.status)
			}

			up := s.base + "/$import-status?_jobId=crash-upload"
			a := call(t, "GET", up, "")
			diag := fmt.Sprint(a.obj["issue"])
			if a.status != 500 || a.obj["resourceType"] != "OperationOutcome" || !strings.Contains(diag, "redémarré") || !strings.Contains(diag, "renvoyez") {
				t.Errorf("job whose upload is gone: %d %s, want 500 with an OperationOutcome saying to send it again", a.status, a.raw)
			}
			if d := call(t, "DELETE", up, ""); d.status != 202 {
				t.Errorf("delete of a failed job: %d %s", d.status, d.raw)
			}
			if g := call(t, "GET", up, ""); g.status != 404 {
				t.Errorf("status after delete: %d", g.status)
			}
			if _, err := s.m.raw.(dsn.ImportJobs).ImportJob(ctx, "crash-upload"); dsn.KindOf(err) != dsn.KindNotFound {
				t.Errorf("deleted job still in the store: %v", err)
			}
		})
	}
}
