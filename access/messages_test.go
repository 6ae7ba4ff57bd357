package access

import (
	"regexp"
	"strings"
	"testing"

	"dsn"
	"dsn/internal/language"
	"dsn/internal/language/langtest"
)

// messageID is a message id as written in this package's code.
var messageID = regexp.MustCompile(`"((?:role|deny|token|revoked|revoke|scope|account|password|client|authorize|signin|grant|consent|launch|breakglass)\.[a-z-]+)"`)

// Every sentence has both languages, the same arguments in both, and every
// id the code uses exists; every role has its name in both.
func TestMessagesBothLanguages(t *testing.T) {
	texts := map[string]language.Text{}
	for id, m := range messages {
		texts[id] = language.Text{FR: m.fr, EN: m.en}
	}
	langtest.Check(t, texts, messageID, "messages.go", 60)
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

// The reasons a citizen's choices give, in both languages: a restriction
// (s. 7) and a refusal (s. 8).
func TestRestrictionReasonsInEnglish(t *testing.T) {
	obs := ResourceInfo{Type: "Observation", ID: "o1", Patient: "p1"}
	for _, tc := range []struct {
		role   Role
		r      Restriction
		fr, en string
	}{
		{RoleNurse, Restriction{Patient: "p1", Roles: []Role{RoleNurse}, Types: []string{"Observation"}},
			"l'usager a restreint l'accès à cette information (LRSSS art. 7)", "the patient restricted access to this information (LRSSS s. 7)"},
		{RoleResearcher, Restriction{Patient: "p1", Refusal: true}, // research
			"l'usager a refusé cet accès (LRSSS art. 8)", "the patient refused this access (LRSSS s. 8)"},
	} {
		d := Evaluate(principal(tc.role), PermRead, obs, Facts{Now: now, Relationship: "encounter", Restrictions: []Restriction{tc.r}})
		if d.Allow || d.Reason.French() != tc.fr || d.Reason.English() != tc.en {
			t.Errorf("%+v: %+v (%q / %q)", tc.r, d, d.Reason.French(), d.Reason.English())
		}
	}
}
