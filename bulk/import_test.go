package bulk

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dsn"
	"dsn/repo"
)

// The synthea sample loads completely (one resource per input line, per type),
// and loading it again writes no new version.
func TestImportSyntheaThenReimportIsNoop(t *testing.T) {
	want := inputLines(t, synthea)
	if len(want) == 0 {
		t.Skip("sample data missing")
	}
	st := openStore(t)
	var report bytes.Buffer
	stats := importDir(t, st, ImportOptions{Errors: &report}, synthea)
	if stats.Rejected != 0 || report.Len() != 0 {
		t.Fatalf("%d rejected: %s", stats.Rejected, report.String())
	}
	snap := snapshot(t, st, keys(want))
	got := map[string]int{}
	for k := range snap {
		got[strings.SplitN(k, "/", 2)[0]]++
	}
	total := 0
	for typ, n := range want {
		total += n
		if got[typ] != n || stats.ByType[typ] != n {
			t.Errorf("%s: %d stored, %d counted, want %d", typ, got[typ], stats.ByType[typ], n)
		}
	}
	if stats.Created != total || versions(t, st) != total {
		t.Fatalf("created %d, versions %d, want %d", stats.Created, versions(t, st), total)
	}

	again := importDir(t, st, ImportOptions{}, synthea)
	if again.Unchanged != total || again.Created+again.Updated != 0 {
		t.Fatalf("re-import: %+v", again)
	}
	if v := versions(t, st); v != total {
		t.Fatalf("re-import made new versions: %d, want %d", v, total)
	}
}

// A changed resource gets exactly one new version.
func TestImportChangedResourceIsUpdated(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "p.ndjson")
	os.WriteFile(p, []byte(`{"resourceType":"Patient","id":"a","gender":"male"}`+"\n"), 0o644)
	importDir(t, st, ImportOptions{}, p)
	os.WriteFile(p, []byte(`{"resourceType":"Patient","id":"a","gender":"female"}`+"\n"), 0o644)
	stats := importDir(t, st, ImportOptions{}, p)
	if stats.Updated != 1 || versions(t, st) != 2 {
		t.Fatalf("stats %+v, versions %d", stats, versions(t, st))
	}
	r, err := st.Read(context.Background(), "Patient", "a")
	if err != nil || !strings.Contains(string(r.Body), `"female"`) || r.VersionID != 2 {
		t.Fatalf("read: %v %s", err, r.Body)
	}
}

// Import → export → import into a fresh store gives the same resources.
func TestExportRoundTrip(t *testing.T) {
	dir := copyFiles(t, "Patient.000.ndjson", "Condition.000.ndjson", "Organization.000.ndjson")
	types := []string{"Patient", "Condition", "Organization"}
	a := openStore(t)
	importDir(t, a, ImportOptions{}, dir)
	out := t.TempDir()
	m, err := Export(context.Background(), ExportOptions{Store: a, Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Output) != 3 || m.Output[0].Type != "Condition" || m.Output[0].Count != 555 {
		t.Fatalf("manifest %+v", m)
	}
	var onDisk Manifest
	b, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err := json.Unmarshal(b, &onDisk); err != nil || len(onDisk.Output) != 3 {
		t.Fatalf("manifest.json: %v %s", err, b)
	}
	fresh := openStore(t)
	if st := importDir(t, fresh, ImportOptions{}, out); st.Rejected != 0 || st.Created != 611 {
		t.Fatalf("re-import of the export: %+v", st)
	}
	sameSnapshots(t, snapshot(t, a, types), snapshot(t, fresh, types))

	// --type and --since select.
	only := t.TempDir()
	m, err = Export(context.Background(), ExportOptions{Store: a, Dir: only, Types: []string{"Patient"}})
	if err != nil || len(m.Output) != 1 || m.Output[0].Count != 13 {
		t.Fatalf("Patient only: %v %+v", err, m)
	}
	m, _ = Export(context.Background(), ExportOptions{Store: a, Dir: t.TempDir(), Since: time2100})
	if len(m.Output) != 0 {
		t.Fatalf("since 2100: %+v", m)
	}
}

// Bad JSON and invalid resources are reported with their line numbers; the
// other lines load.
func TestImportReportsBadLines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mixed.ndjson")
	lines := []string{
		`{"resourceType":"Patient","id":"ok1"}`,
		`{"resourceType":"Patient","id":`, // bad JSON
		``,
		`{"resourceType":"Patient","id":"bad","gender":"robot"}`, // not in the required value set
		`{"resourceType":"Patient"}`,                             // no id
		`{"resourceType":"Patient","id":"ok2","birthDate":"1980-02-03"}`,
	}
	os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)
	st := openStore(t)
	var report bytes.Buffer
	stats := importDir(t, st, ImportOptions{Errors: &report, Batch: 2}, p)
	if stats.Created != 2 || stats.Rejected != 3 {
		t.Fatalf("stats %+v", stats)
	}
	var gotLines []int
	for _, l := range strings.Split(strings.TrimSpace(report.String()), "\n") {
		var e ErrorRecord
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		if e.File != p || e.Outcome["resourceType"] != "OperationOutcome" {
			t.Fatalf("report line %s", l)
		}
		gotLines = append(gotLines, e.Line)
	}
	if len(gotLines) != 3 || gotLines[0] != 2 || gotLines[1] != 4 || gotLines[2] != 5 {
		t.Fatalf("reported lines %v, want [2 4 5]\n%s", gotLines, report.String())
	}
	for _, id := range []string{"ok1", "ok2"} {
		if _, err := st.Read(context.Background(), "Patient", id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

// An import cancelled after some batches resumes from its checkpoint and ends
// like an uninterrupted one.
func TestImportResumesAfterCancel(t *testing.T) {
	dir := copyFiles(t, "Patient.000.ndjson", "Condition.000.ndjson")
	types := []string{"Patient", "Condition"}
	whole := openStore(t)
	importDir(t, whole, ImportOptions{Batch: 50}, dir)

	st := openStore(t)
	state := filepath.Join(t.TempDir(), "import-state")
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	o := ImportOptions{Service: repo.New(repo.Options{Store: st}), Batch: 50, State: state,
		Progress: func(Progress) {
			if calls++; calls == 3 {
				cancel()
			}
		}}
	first, err := Import(ctx, o, []string{dir})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted import: %v", err)
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("no checkpoint after the interruption: %v", err)
	}
	partial := versions(t, st)
	if partial == 0 || partial >= 568 {
		t.Fatalf("%d versions after the interruption", partial)
	}
	o.Progress = nil
	rest, err := Import(context.Background(), o, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if first.Records+rest.Records != 568 || rest.Unchanged != 0 {
		t.Fatalf("first %+v, rest %+v: lines read twice or skipped", first, rest)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Fatalf("checkpoint left after a complete import: %v", err)
	}
	sameSnapshots(t, snapshot(t, whole, types), snapshot(t, st, types))
	if versions(t, st) != 568 {
		t.Fatalf("%d versions, want 568", versions(t, st))
	}
}

// gzip is recognised by its magic bytes, Bundles by their type.
func TestImportGzipAndBundles(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"resourceType":"Patient","id":"g1"}` + "\n" + `{"resourceType":"Patient","id":"g2"}` + "\n"))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "a.ndjson.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"resourceType":"Bundle","type":"transaction","entry":[
		{"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Patient","gender":"male"},"request":{"method":"POST","url":"Patient"}},
		{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111"}},"request":{"method":"POST","url":"Observation"}}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Patient","id":"c1"}},{"resource":{"resourceType":"Patient","id":"c2","gender":"robot"}}]}`), 0o644)
	st := openStore(t)
	var report bytes.Buffer
	stats := importDir(t, st, ImportOptions{Errors: &report}, dir)
	for _, id := range []string{"g1", "g2", "c1"} {
		if _, err := st.Read(context.Background(), "Patient", id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	if stats.Rejected != 1 || !strings.Contains(report.String(), `"line":2`) || !strings.Contains(report.String(), "c.json") {
		t.Fatalf("stats %+v, report %s", stats, report.String())
	}
	if v := versions(t, st); v != 5 { // g1 g2, the transaction's 2, c1
		t.Fatalf("%d versions, want 5", v)
	}
}

// Batches are handed to the store while the one before is still being
// written, except when they name the same resource: those are written in
// input order, and the last line of a repeated id wins.
func TestImportRepeatedIDAcrossBatches(t *testing.T) {
	repeatedAcrossBatches(t, openStore(t))
}

func repeatedAcrossBatches(t *testing.T, st dsn.Store) {
	p := filepath.Join(t.TempDir(), "p.ndjson")
	var lines []string
	for _, l := range []struct{ id, gender string }{{"a", "male"}, {"b", "male"}, {"c", "male"}, {"a", "female"},
		{"d", "male"}, {"e", "male"}, {"a", "unknown"}, {"f", "male"}, {"b", "female"}} {
		lines = append(lines, `{"resourceType":"Patient","id":"`+l.id+`","gender":"`+l.gender+`"}`)
	}
	os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	stats := importDir(t, st, ImportOptions{Batch: 2}, p)
	if stats.Created != 6 || stats.Updated != 3 || versions(t, st) != 9 {
		t.Fatalf("stats %+v, versions %d", stats, versions(t, st))
	}
	for id, want := range map[string]string{"a": `"unknown"`, "b": `"female"`, "c": `"male"`} {
		r, err := st.Read(context.Background(), "Patient", id)
		if err != nil || !strings.Contains(string(r.Body), want) {
			t.Fatalf("%s: %v %s, want %s", id, err, r.Body, want)
		}
	}
}

// One pipeline runs through consecutive NDJSON files (a batch in flight
// across a file's end): a resource repeated in the next file must still end
// with that file's content (the batches overlap: written in order), and the
// progress must count each file's bytes once.
func TestImportRepeatedIDAcrossFiles(t *testing.T) {
	repeatedAcrossFiles(t, openStore(t))
}

func repeatedAcrossFiles(t *testing.T, st dsn.Store) {
	dir := t.TempDir()
	var total int64
	for i, f := range [][]struct{ id, gender string }{
		{{"a", "male"}, {"b", "male"}}, {{"a", "female"}}, {{"c", "male"}}, {{"b", "female"}}, {{"d", "male"}},
	} {
		var lines []string
		for _, l := range f {
			lines = append(lines, `{"resourceType":"Patient","id":"`+l.id+`","gender":"`+l.gender+`"}`)
		}
		data := []byte(strings.Join(lines, "\n") + "\n")
		total += int64(len(data))
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.ndjson", i+1)), data, 0o644)
	}
	var last int64
	progress := func(p Progress) {
		if p.Bytes < last || p.Bytes > total {
			t.Errorf("progress went from %d to %d bytes of %d", last, p.Bytes, total)
		}
		last = p.Bytes
	}
	stats := importDir(t, st, ImportOptions{Progress: progress}, dir)
	if stats.Created != 4 || stats.Updated != 2 || versions(t, st) != 6 {
		t.Fatalf("stats %+v, versions %d", stats, versions(t, st))
	}
	if last != total {
		t.Errorf("final progress %d bytes, want %d", last, total)
	}
	for id, want := range map[string]string{"a": `"female"`, "b": `"female"`, "c": `"male"`, "d": `"male"`} {
		r, err := st.Read(context.Background(), "Patient", id)
		if err != nil || !strings.Contains(string(r.Body), want) {
			t.Fatalf("%s: %v %s, want %s", id, err, r.Body, want)
		}
	}
}
