package search

import (
	"regexp"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language/langtest"
)

// TestMessagesBothLanguages: every search sentence has French and English
// with the same arguments, and every id the code says is in the catalogue
// (say, sayp, bad, unsupported, within, refuse's and refuseFor's third
// argument; refuseFor's id-* form too).
func TestMessagesBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`(?:\bsay|\bsayp|\bbad|\bunsupported|\bwithin|\bvsError|\.refuse|\.refuseFor)\((?:[^,()]+, [^,()]+, )?"([a-z][a-z.*-]*)"`)
	used := langtest.Check(t, messages, ids, "messages.go", 50)
	for id := range used {
		if _, ok := messages[id+"-*"]; id == "sort" && !ok {
			t.Errorf("refuseFor(%q) needs %s-* too", id, id)
		}
	}
}

// TestRefusalInBothLanguages: a strict refusal's issue and error say it in
// both languages; a lenient one is a warning saying the parameter is
// ignored, in both.
func TestRefusalInBothLanguages(t *testing.T) {
	_, issues, err := Parse("Patient", map[string][]string{"foo": {"1"}, "birthdate": {"hier"}}, true)
	de, ok := err.(*dsn.Error)
	if !ok || de.Kind != dsn.KindInvalid || len(issues) != 2 {
		t.Fatalf("strict: %v, %d issues", err, len(issues))
	}
	if want := "search parameters refused: birthdate: malformed date \"hier\""; !strings.HasPrefix(de.English, want) || !strings.HasPrefix(de.Msg, "paramètres de recherche refusés: birthdate: date mal formée") {
		t.Errorf("strict: %q / %q", de.Msg, de.English)
	}
	if is := issues[1]; is.Code != "not-found" || is.English != "unknown search parameter for Patient: foo" || is.Diagnostics != "paramètre de recherche inconnu pour Patient: foo" {
		t.Errorf("strict issue: %+v", is)
	}
	_, issues, err = Parse("", map[string][]string{"foo": {"1"}}, false)
	if err != nil || len(issues) != 1 || issues[0].Severity != "warning" || issues[0].English != "unknown search parameter for the search across all types: foo (parameter ignored)" || issues[0].Diagnostics != "paramètre de recherche inconnu pour la recherche globale: foo (paramètre ignoré)" {
		t.Errorf("lenient: %v %+v", err, issues)
	}
}

// An expansion refused (an unknown ValueSet: a search's :in answers it as a
// 400) says it in both languages.
func TestExpandValueSetInBothLanguages(t *testing.T) {
	_, err := ExpandValueSet("http://example.org/vs", func(typ, url string) (fhir.Object, bool) { return nil, false })
	if dsn.Message(err) != "ValueSet http://example.org/vs inconnu sur ce serveur (il faudrait un serveur de terminologie)" ||
		dsn.EnglishMessage(err) != "ValueSet http://example.org/vs unknown on this server (a terminology server would be needed)" {
		t.Errorf("%q / %q", dsn.Message(err), dsn.EnglishMessage(err))
	}
}
