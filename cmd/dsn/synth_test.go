package main

import (
	"bufio"
	"bytes"
	"context"
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
