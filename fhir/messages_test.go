package fhir

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"dsn"
	"dsn/internal/language/langtest"
)

// TestMessagesBothLanguages: every sentence of Validate has French and
// English with the same arguments, and every id the code says (add,
// addAt, say, messages[…]) is in the catalogue.
func TestMessagesBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`(?:\.add\("[a-z-]+", |\.addAt\([^,()]+, "[a-z-]+", |\bsay\(|\.fail\(|messages\[)"([a-z][a-z.0-9-]*)"`)
	used := langtest.Check(t, messages, ids, "messages.go", 30)
	for id := range messages {
		if used[id] == 0 {
			t.Errorf("message %s is in the catalogue, used nowhere", id)
		}
	}
}

// TestValidateInBothLanguages: an invalid resource's issues and message
// say it in French and in English, on the same element.
func TestValidateInBothLanguages(t *testing.T) {
	err := Validate(Object{"resourceType": "Patient", "gender": 3, "foo": "x"})
	var de *dsn.Error
	if !errors.As(err, &de) || len(de.Issues) != 2 {
		t.Fatalf("%v", err)
	}
	is := de.Issues[0]
	if is.Expression != "Patient.foo" || is.Diagnostics != `élément inconnu "foo" pour le type Patient` || is.English != `unknown element "foo" for the type Patient` {
		t.Errorf("issue: %+v", is)
	}
	if de.Msg != `ressource non conforme à FHIR R4 : élément inconnu "foo" pour le type Patient (Patient.foo), et 1 autre(s) problème(s)` ||
		de.English != `resource not valid against FHIR R4: unknown element "foo" for the type Patient (Patient.foo), and 1 more problem(s)` {
		t.Errorf("message: %q / %q", de.Msg, de.English)
	}
}

// TestDecodeInBothLanguages: Decode's refusals (not JSON, not an object,
// no resourceType) say it in French and in English, message and issue.
func TestDecodeInBothLanguages(t *testing.T) {
	for body, want := range map[string][2]string{
		`{"resourceType":"Patient",}`:            {"le corps n'est pas du JSON valide: nom de propriété attendu (octet 26)", "the body is not valid JSON: a property name expected (byte 26)"},
		`{"resourceType":"Patient","a":1,"a":2}`: {"propriété \"a\" en double", "property \"a\" twice"},
		"{\"resourceType\":\"\xff\"}":            {"chaîne en UTF-8 invalide", "a string in invalid UTF-8"},
		`[1]`:                                    {"une ressource FHIR doit être un objet JSON", "a FHIR resource must be a JSON object"},
		`{"id":"x"}`:                             {"l'élément resourceType est absent", "the resourceType element is missing"},
	} {
		_, err := Decode([]byte(body))
		is := dsn.IssuesOf(err)
		if len(is) != 1 || !strings.Contains(dsn.Message(err), want[0]) || !strings.Contains(dsn.EnglishMessage(err), want[1]) ||
			!strings.Contains(is[0].In(false), want[0]) || !strings.Contains(is[0].In(true), want[1]) {
			t.Errorf("Decode(%s): %q / %q, issues %+v; want %q / %q", body, dsn.Message(err), dsn.EnglishMessage(err), is, want[0], want[1])
		}
	}
}
