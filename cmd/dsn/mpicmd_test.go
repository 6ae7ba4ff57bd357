package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dsn/mpi"
)

// dsn import queues the links, dsn mpi link makes them without a server,
// dsn mpi report lists the pairs left to review, dsn mpi config prints the
// model that --config and serve --mpi-config read back.
func TestMPICommands(t *testing.T) {
	in := t.TempDir()
	pat := func(id, given, birth string) string {
		return `{"resourceType":"Patient","id":"` + id + `","name":[{"family":"Tremblay","given":["` + given + `"]}],"gender":"male","birthDate":"` + birth + `"}`
	}
	os.WriteFile(filepath.Join(in, "Patient.ndjson"), []byte(strings.Join([]string{
		pat("a1", "Pierre", "1965-03-05"), pat("a2", "Pierre", "1965-03-05"), // same person: linked
		pat("b1", "Pierre", "1965-05-03"), // day and month swapped: review
	}, "\n")+"\n"), 0o644)
	data := t.TempDir()
	if code, out, errs := runCmd(t, "import", "--data", data, "--errors", filepath.Join(t.TempDir(), "e"), in); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	code, out, errs := runCmd(t, "mpi", "link", "--data", data)
	if code != 0 || !strings.Contains(out, "3 inscriptions liées") {
		t.Fatalf("mpi link: %d %q %q", code, out, errs)
	}
	report := filepath.Join(t.TempDir(), "pairs.ndjson")
	code, _, errs = runCmd(t, "mpi", "report", "--data", data, "--out", report)
	if code != 0 || !strings.Contains(errs, "paires") {
		t.Fatalf("mpi report: %d %q", code, errs)
	}
	f, err := os.Open(report)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []reportLine
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var l reportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		lines = append(lines, l)
	}
	// a1/a2 are one record: not reported; b1 pairs with each of them
	if len(lines) != 2 || lines[0].Grade != "probable" || len(lines[0].Explanation) < 4 || lines[0].GoldenA == lines[0].GoldenB {
		t.Fatalf("report: %+v", lines)
	}
	for _, l := range lines {
		if !strings.Contains(l.A+l.B, "b1") {
			t.Fatalf("pair without b1 reported: %+v", l)
		}
	}
	// the model round-trips, a stricter one reports nothing at 40 bits
	code, out, _ = runCmd(t, "mpi", "config")
	cfg, err := mpi.ParseConfig([]byte(out))
	if code != 0 || err != nil || cfg.Certain != 26 {
		t.Fatalf("mpi config: %d %v %q", code, err, out)
	}
	cfg.Probable, cfg.Certain = 40, 50
	model := filepath.Join(t.TempDir(), "model.json")
	os.WriteFile(model, cfg.JSON(), 0o644)
	code, out, errs = runCmd(t, "mpi", "report", "--data", data, "--config", model, "--threshold", "probable")
	if code != 0 || strings.TrimSpace(out) != "" || !strings.Contains(errs, "0 paires au-dessus de 40.0 bits") {
		t.Fatalf("report with a stricter model: %d %q %q", code, out, errs)
	}
	os.WriteFile(model, []byte(`{"certain": 5}`), 0o644)
	if code, _, errs := runCmd(t, "mpi", "config", "--config", model); code != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("bad model: exit %d, %q", code, errs)
	}
	if code, _, _ := runCmd(t, "mpi"); code != 2 {
		t.Fatalf("dsn mpi without subcommand: exit %d, want 2", code)
	}
}
