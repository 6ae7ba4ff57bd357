package fhirapi

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// messageID is a message id as written in this package's code.
var messageID = regexp.MustCompile(`errorf\("[^"]*", dsn\.Kind\w+,\s*"([a-z.-]+)"`)

// Every sentence has both languages with the same arguments, and every id
// the code uses exists.
func TestMessagesBothLanguages(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	for id, m := range messages {
		if strings.TrimSpace(m.FR) == "" || strings.TrimSpace(m.EN) == "" {
			t.Errorf("message %s: a language is missing (%q / %q)", id, m.FR, m.EN)
		}
		if f, e := verbs.FindAllString(m.FR, -1), verbs.FindAllString(m.EN, -1); strings.Join(f, "") != strings.Join(e, "") {
			t.Errorf("message %s: arguments %v in French, %v in English", id, f, e)
		}
	}
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "messages.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range messageID.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s uses message %s, missing from messages.go", f, m[1])
			}
		}
	}
	for id := range messages {
		if !used[id] {
			t.Errorf("message %s is not used (or the pattern misses it)", id)
		}
	}
}
