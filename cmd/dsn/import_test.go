package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// dsn import loads a directory, dsn export writes it back, and the export
// imports into a fresh store as unchanged-free creations.
func TestImportExportCommands(t *testing.T) {
	in := t.TempDir()
	os.WriteFile(filepath.Join(in, "Patient.ndjson"), []byte(
		`{"resourceType":"Patient","id":"p1","gender":"female"}`+"\n"+
			`{"resourceType":"Patient","id":"p2","gender":"male"}`+"\n"), 0o644)
	data := t.TempDir()
	code, out, errs := runCmd(t, "import", "--data", data, "--errors", filepath.Join(t.TempDir(), "e.ndjson"), in)
	if code != 0 || !strings.Contains(out, "2 créées") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(data, "import-state")); !os.IsNotExist(err) {
		t.Fatalf("checkpoint left after a complete import: %v", err)
	}
	code, out, _ = runCmd(t, "import", "--data", data, "--errors", filepath.Join(t.TempDir(), "e.ndjson"), in)
	if code != 0 || !strings.Contains(out, "2 inchangées") {
		t.Fatalf("re-import: %d %q", code, out)
	}
	exp := t.TempDir()
	code, out, errs = runCmd(t, "export", "--data", data, "--type", "Patient", exp)
	if code != 0 || !strings.Contains(out, "2 ressources") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	b, err := os.ReadFile(filepath.Join(exp, "Patient.ndjson"))
	if err != nil || bytes.Count(b, []byte("\n")) != 2 || !bytes.Contains(b, []byte(`"versionId":"1"`)) {
		t.Fatalf("Patient.ndjson: %v %s", err, b)
	}
	if _, err := os.Stat(filepath.Join(exp, "manifest.json")); err != nil {
		t.Fatal(err)
	}
	// the export is journaled (LRSSS s. 103: every communication)
	if code, out, _ = runCmd(t, "audit", "report", "--data", data); code != 0 || !strings.Contains(out, `"export": 1`) {
		t.Fatalf("export not in the journal: %d %s", code, out)
	}
	code, out, _ = runCmd(t, "import", "--data", t.TempDir(), "--errors", filepath.Join(t.TempDir(), "e.ndjson"), exp)
	if code != 0 || !strings.Contains(out, "2 créées") {
		t.Fatalf("import of the export: %d %q", code, out)
	}
}

// A rejected line gives exit status 1, a one-line summary and the report.
func TestImportCommandReportsRejects(t *testing.T) {
	in := filepath.Join(t.TempDir(), "bad.ndjson")
	os.WriteFile(in, []byte(`{"resourceType":"Patient","id":"ok"}`+"\n"+`not json`+"\n"), 0o644)
	report := filepath.Join(t.TempDir(), "errors.ndjson")
	code, _, errs := runCmd(t, "import", "--data", t.TempDir(), "--errors", report, in)
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || !strings.HasPrefix(lines[len(lines)-1], "dsn import: 1 ressources rejetées sur 2") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	b, err := os.ReadFile(report)
	if err != nil || !bytes.Contains(b, []byte(`"line":2`)) || !bytes.Contains(b, []byte("OperationOutcome")) {
		t.Fatalf("report: %v %s", err, b)
	}
	if code, _, _ := runCmd(t, "import", "--data", t.TempDir()); code != 2 {
		t.Fatalf("no PATH: exit %d, want 2", code)
	}
}

// dsn import --lang en: the summary, the one line and the error report's
// OperationOutcomes in English; French stays the default (above); another
// language is a usage error.
func TestImportCommandInEnglish(t *testing.T) {
	in := filepath.Join(t.TempDir(), "bad.ndjson")
	os.WriteFile(in, []byte(`{"resourceType":"Patient","id":"ok"}`+"\n"+`{"resourceType":"Patient","id":"x","gender":"jaguar"}`+"\n"), 0o644)
	report := filepath.Join(t.TempDir(), "errors.ndjson")
	code, out, errs := runCmd(t, "import", "--lang", "en", "--data", t.TempDir(), "--errors", report, in)
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || !strings.HasPrefix(lines[len(lines)-1], "dsn import: 1 resources rejected out of 2; details in ") ||
		!strings.Contains(out, "2 resources: 1 created, 0 updated, 0 unchanged, 1 rejected (Patient 1)") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	b, err := os.ReadFile(report)
	if err != nil || !bytes.Contains(b, []byte(`the code \"jaguar\" is not in the value set`)) || bytes.Contains(b, []byte("n'est pas")) {
		t.Fatalf("report: %v %s", err, b)
	}
	if code, _, _ := runCmd(t, "import", "--lang", "de", "--data", t.TempDir(), in); code != 2 {
		t.Fatalf("--lang de: exit %d, want 2", code)
	}
}
