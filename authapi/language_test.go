package authapi

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dsn/access"
)

// messageID is a message id as written in this package's templates and code.
var messageID = regexp.MustCompile(`"((?:site|lang|login|picker|consent|error|json|redirect)\.[a-z_.]+)"`)

// Every message has both languages, and every id the pages and handlers
// use exists.
func TestMessagesBothLanguages(t *testing.T) {
	for id, m := range messages {
		for _, l := range []lang{fr, en} {
			if strings.TrimSpace(m[l]) == "" {
				t.Errorf("message %s has no %s text", id, l)
			}
		}
		if len(m) != 2 {
			t.Errorf("message %s: %d languages", id, len(m))
		}
	}
	files, _ := filepath.Glob("*.go")
	used := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "messages.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range messageID.FindAllStringSubmatch(string(src), -1) {
			used++
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s uses message %s, missing from messages.go", f, m[1])
			}
		}
	}
	if used < 40 {
		t.Errorf("only %d message ids found in the code: the pattern misses them", used)
	}
	// the scope sentences: the same words in both languages
	fw, ew := scopeLangs[fr], scopeLangs[en]
	if !slices.Equal(slices.Sorted(maps.Keys(fw.resources)), slices.Sorted(maps.Keys(ew.resources))) {
		t.Error("scope words: the resource types differ between French and English")
	}
	for _, w := range []scopeLang{fw, ew} {
		v := reflect.ValueOf(w)
		for i := range v.NumField() {
			if v.Field(i).Kind() == reflect.String && v.Field(i).String() == "" {
				t.Errorf("scope words: %s is empty", v.Type().Field(i).Name)
			}
		}
	}
}

// The consent page's sentences in English: the same structure as French.
func TestScopeWordsEnglish(t *testing.T) {
	for _, tc := range []struct {
		scope   string
		citizen bool
		want    []string
	}{
		{"patient/Observation.rs", true, []string{"Read your laboratory results and vital signs"}},
		{"patient/*.rs", true, []string{"Read your whole record"}},
		{"patient/Condition.cruds", false, []string{"Read the health problems and diagnoses of the chosen patient's record",
			"Add, change and delete items in the health problems and diagnoses of the chosen patient's record"}},
		{"user/Observation.c openid fhirUser", false, []string{"Add items in the laboratory results and vital signs of every record you have access to",
			"Know your name and your user identity"}},
		{"user/Basic.r offline_access online_access", false, []string{"Read the resources Basic of every record you have access to",
			"Keep access after you sign out, for up to 30 days without asking you again", "Keep access during your session (12 hours at most)"}},
	} {
		if got := scopeWords(access.MustScopes(tc.scope), tc.citizen, scopeLangs[en]); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("scopeWords(%q, %v, en) = %q, want %q", tc.scope, tc.citizen, got, tc.want)
		}
	}
}
