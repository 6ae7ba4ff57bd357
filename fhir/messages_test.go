package fhir

import (
	"errors"
	"regexp"
	"testing"

	"dsn"
	"dsn/internal/language/langtest"
)

// TestMessagesBothLanguages: every sentence of Validate has French and
// English with the same arguments, and every id the code says (add,
// addAt, say, messages[…]) is in the catalogue.
func TestMessagesBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`(?:\.add\("[a-z-]+", |\.addAt\([^,()]+, "[a-z-]+", |\bsay\(|messages\[)"([a-z][a-z.]*)"`)
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
