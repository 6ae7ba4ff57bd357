package access

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dsn"
)

// messageID is a message id as written in this package's code.
var messageID = regexp.MustCompile(`"((?:role|deny|token|revoked|revoke|scope|account|password|client|authorize|signin|grant|consent|launch|breakglass)\.[a-z-]+)"`)

// Every sentence has both languages, the same arguments in both, and every
// id the code uses exists; every role has its name in both.
func TestMessagesBothLanguages(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	for id, m := range messages {
		if strings.TrimSpace(m.fr) == "" || strings.TrimSpace(m.en) == "" {
			t.Errorf("message %s: a language is missing (%q / %q)", id, m.fr, m.en)
		}
		if f, e := verbs.FindAllString(m.fr, -1), verbs.FindAllString(m.en, -1); strings.Join(f, "") != strings.Join(e, "") {
			t.Errorf("message %s: arguments %v in French, %v in English", id, f, e)
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
	if used < 70 {
		t.Errorf("only %d message ids found in the code: the pattern misses them", used)
	}
	for r := range roles {
		if l := r.Label(); strings.HasPrefix(l.French(), "[") || strings.HasPrefix(l.English(), "[") {
			t.Errorf("role %s has no name", r)
		}
	}
}

// A refusal says the same in both languages, an argument that is a Text
// (the role's name) in the sentence's language.
func TestRefusalInEnglish(t *testing.T) {
	p := principal(RoleAdmin)
	p.Scopes = MustScopes("user/*.rs") // the scope allows; the role does not
	d := Evaluate(p, PermRead, ResourceInfo{Type: "Observation", ID: "o1", Patient: "p1"}, Facts{})
	err := refusal("access.Read", dsn.Resource{Type: "Observation", ID: "o1"}, d)
	if fr := dsn.Message(err); fr != "Observation/o1: le rôle Administrateur ne donne pas accès aux dossiers cliniques" {
		t.Errorf("French: %q", fr)
	}
	if en := dsn.EnglishMessage(err); en != "Observation/o1: the role Administrator gives no access to clinical records" {
		t.Errorf("English: %q", en)
	}
	if dsn.KindOf(err) != dsn.KindForbidden {
		t.Errorf("kind %v", dsn.KindOf(err))
	}
}
