package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dsn synth writes one NDJSON file per resource type plus the truth file, with
// one truth line per Patient record, and the same seed writes the same bytes.
func TestSynthCommandWritesNDJSONAndTruth(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, dir := range dirs {
		var stdout, stderr bytes.Buffer
		env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		if code := run(context.Background(), []string{"synth", "--patients", "60", "--seed", "5", "--out", dir}, env); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "DÉMO – données fictives") {
			t.Fatalf("summary line lacks the demo label: %q", stdout.String())
		}
	}
	for _, name := range []string{"Organization", "Location", "Practitioner", "PractitionerRole", "Patient", "Encounter", "Observation", "truth"} {
		a, err := os.ReadFile(filepath.Join(dirs[0], name+".ndjson"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dirs[1], name+".ndjson"))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s.ndjson differs between two runs with the same seed", name)
		}
	}
	if p, tr := lines(t, dirs[0], "Patient"), lines(t, dirs[0], "truth"); p != tr || p < 60 {
		t.Fatalf("%d Patient lines, %d truth lines; want equal and ≥ 60", p, tr)
	}
}

func lines(t *testing.T, dir, name string) int {
	f, err := os.Open(filepath.Join(dir, name+".ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		n++
	}
	return n
}

// dsn synth --gzip writes the same lines as NDJSON.gz, and dsn import loads the
// directory: every line created, none rejected (a million people's input must be
// small enough to sit beside its store, docs/benchmarks.md).
func TestSynthGzipImports(t *testing.T) {
	plain, gz := t.TempDir(), t.TempDir()
	for _, c := range []struct {
		dir  string
		flag []string
	}{{plain, nil}, {gz, []string{"--gzip"}}} {
		args := append([]string{"synth", "--patients", "20", "--seed", "3", "--out", c.dir}, c.flag...)
		if code, _, errs := runCmd(t, args...); code != 0 {
			t.Fatalf("synth %v: exit %d: %s", c.flag, code, errs)
		}
	}
	want, err := os.ReadFile(filepath.Join(plain, "Observation.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(gz, "Observation.ndjson.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Observation.ndjson.gz: %v, %d bytes, want the %d of Observation.ndjson", err, len(got), len(want))
	}
	if _, err := os.Stat(filepath.Join(gz, "Observation.ndjson")); !os.IsNotExist(err) {
		t.Fatalf("--gzip also wrote plain NDJSON: %v", err)
	}
	n := 0
	entries, _ := os.ReadDir(plain)
	for _, e := range entries {
		if name := strings.TrimSuffix(e.Name(), ".ndjson"); name != "truth" {
			n += lines(t, plain, name)
		}
	}
	code, out, errs := runCmd(t, "import", "--data", t.TempDir(), "--errors", filepath.Join(t.TempDir(), "e.ndjson"), gz)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d créées", n)) || !strings.Contains(out, " 0 rejetées") {
		t.Fatalf("import of the gzip directory (%d lines): %d %q %q", n, code, out, errs)
	}
}
