package repo

import (
	"errors"
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

// A 500 or a 503 without a message of its own (the cause stays in the logs)
// says so in both languages: "erreur interne" / "internal error", and a
// 503 asks to retry.
func TestOperationOutcomeInternalIn(t *testing.T) {
	for _, c := range []struct {
		err    error
		code   string
		fr, en string
	}{
		{dsn.Wrap("sqlite.Put", dsn.KindInternal, errors.New("disk I/O error at page 7")), "exception", "erreur interne", "internal error"},
		{dsn.Wrap("postgres.Read", dsn.KindUnavailable, errors.New("connection refused")), "transient",
			"service momentanément indisponible : réessayez plus tard", "service temporarily unavailable: try again later"},
	} {
		for english, want := range map[bool]string{false: c.fr, true: c.en} {
			is := OperationOutcomeIn(c.err, english)["issue"].([]any)[0].(map[string]any)
			if is["diagnostics"] != want || is["code"] != c.code {
				t.Errorf("%v, english %v: %v, want %s %q", c.err, english, is, c.code, want)
			}
		}
	}
}
