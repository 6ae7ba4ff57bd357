package language

import (
	"net/http/httptest"
	"testing"

	"dsn"
)

// RFC 9110 §12.5.4: English only when weighted above French.
func TestAcceptLanguage(t *testing.T) {
	for h, want := range map[string]Tag{
		"":                             French,
		"en":                           English,
		"en-CA":                        English,
		"fr-CA,en;q=0.8":               French,
		"en-US,en;q=0.9,fr;q=0.8":      English,
		"fr;q=0.5, en;q=0.7":           English,
		"en;q=0.5, fr":                 French,
		"en;q=0":                       French, // not acceptable
		"de, es;q=0.9":                 French, // neither: French
		"en, fr":                       French, // a tie: French
		"EN-gb ; q=0.9, fr-ca;q=0.3":   English,
		"en;q=2, fr;q=0.1":             French, // a malformed weight counts for nothing
		"fr-CA, fr;q=0.9, en;q=0.8, *": French,
	} {
		if got := Accept(h); got != want {
			t.Errorf("Accept(%q) = %s, want %s", h, got, want)
		}
	}
}

// The cookie (a choice made on the pages) comes before Accept-Language.
func TestOf(t *testing.T) {
	r := httptest.NewRequest("GET", "/auth/token", nil)
	if Of(r) != French {
		t.Error("no header: French")
	}
	r.Header.Set("Accept-Language", "en")
	if Of(r) != English {
		t.Error("Accept-Language: en")
	}
	r.Header.Set("Cookie", Cookie+"=fr")
	if Of(r) != French {
		t.Error("the cookie's choice wins")
	}
	r.Header.Set("Cookie", Cookie+"=de")
	if Of(r) != English {
		t.Error("an unknown cookie value counts for nothing")
	}
}

func TestMessage(t *testing.T) {
	err := dsn.Wrap("op", dsn.KindInternal, &dsn.Error{Kind: dsn.KindForbidden, Msg: "accès refusé", English: "access denied"})
	if Message(err, French) != "accès refusé" || Message(err, English) != "access denied" {
		t.Errorf("Message: %q / %q", Message(err, French), Message(err, English))
	}
}
