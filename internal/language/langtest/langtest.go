// Package langtest checks the catalogues of sentences that DSN keeps in
// French and English (authapi, access, fhirapi), for their tests.
package langtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dsn/internal/language"
)

var verbs = regexp.MustCompile(`%[a-z]`)

// Both fails t for a sentence missing a language, or whose two languages
// take different arguments (% verbs, in order; {detail} in both or neither).
func Both(t testing.TB, texts map[string]language.Text) {
	t.Helper()
	for id, m := range texts {
		if strings.TrimSpace(m.FR) == "" || strings.TrimSpace(m.EN) == "" {
			t.Errorf("message %s: a language is missing (%q / %q)", id, m.FR, m.EN)
		}
		if f, e := verbs.FindAllString(m.FR, -1), verbs.FindAllString(m.EN, -1); strings.Join(f, "") != strings.Join(e, "") {
			t.Errorf("message %s: arguments %v in French, %v in English", id, f, e)
		}
		if strings.Contains(m.FR, "{detail}") != strings.Contains(m.EN, "{detail}") {
			t.Errorf("message %s: {detail} in one language only", id)
		}
	}
}

// Used counts the ids that pattern's first group finds in the Go files of
// the test's directory, test files and the catalogue's file left out.
func Used(t testing.TB, pattern *regexp.Regexp, catalogue string) map[string]int {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]int{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == catalogue {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pattern.FindAllStringSubmatch(string(src), -1) {
			used[m[1]]++
		}
	}
	return used
}

// Check is Both, then fails t for an id the code uses (Used) that texts
// lacks, or for fewer than min ids used (the pattern would miss them); it
// returns the ids used.
func Check(t testing.TB, texts map[string]language.Text, pattern *regexp.Regexp, catalogue string, min int) map[string]int {
	t.Helper()
	Both(t, texts)
	used := Used(t, pattern, catalogue)
	for id := range used {
		if _, ok := texts[id]; !ok {
			t.Errorf("message %s is used, missing from %s", id, catalogue)
		}
	}
	if len(used) < min {
		t.Errorf("only %d message ids found in the code: the pattern misses them", len(used))
	}
	return used
}
