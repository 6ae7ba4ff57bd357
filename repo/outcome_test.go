package repo

import (
	"testing"

	"dsn"
)

// TestOperationOutcomeIn: in English the message and each issue say their
// English, an issue without one its French; in French, the French; the
// codes and expressions are the same in both.
func TestOperationOutcomeIn(t *testing.T) {
	err := &dsn.Error{Kind: dsn.KindInvalid, Msg: "refusé", English: "refused", Issues: []dsn.Issue{
		{Code: "value", Diagnostics: "valeur invalide", English: "invalid value", Expression: "Patient.gender"},
		{Code: "structure", Diagnostics: "seulement en français"}}}
	for english, want := range map[bool][]string{false: {"refusé", "valeur invalide", "seulement en français"}, true: {"refused", "invalid value", "seulement en français"}} {
		issues := OperationOutcomeIn(err, english)["issue"].([]any)
		if len(issues) != 3 {
			t.Fatalf("english %v: %v", english, issues)
		}
		for i, is := range issues {
			o := is.(map[string]any)
			if o["diagnostics"] != want[i] || o["code"] != []string{"invalid", "value", "structure"}[i] {
				t.Errorf("english %v, issue %d: %v, want %q", english, i, o, want[i])
			}
		}
	}
}
