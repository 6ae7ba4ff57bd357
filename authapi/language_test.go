package authapi

import (
	"maps"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"dsn/access"
	"dsn/internal/language"
	"dsn/internal/language/langtest"
)

// messageID is a message id as written in this package's templates and code.
var messageID = regexp.MustCompile(`"((?:site|lang|login|picker|consent|error|json|redirect)\.[a-z_.]+)"`)

// Every message has both languages, and every id the pages and handlers
// use exists.
func TestMessagesBothLanguages(t *testing.T) {
	texts := map[string]language.Text{}
	for id, m := range messages {
		texts[id] = language.Text{FR: m[fr], EN: m[en]}
		if len(m) != 2 {
			t.Errorf("message %s: %d languages", id, len(m))
		}
	}
	langtest.Check(t, texts, messageID, "messages.go", 60)
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
