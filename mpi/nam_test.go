package mpi

import (
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
)

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// The examples INSPQ publishes and the two of quebec.md §1.1.
func TestMakeNAMReproducesPublishedExamples(t *testing.T) {
	cases := []struct {
		sur, first string
		birth      time.Time
		female     bool
		diff       byte
		want       string
	}{
		{"Qwerty", "Alain", day(2010, 1, 1), false, '1', "QWEA10010110"},
		{"Qwerty", "Alain", day(2010, 1, 1), false, '2', "QWEA10010121"},
		{"Qwerty", "Alice", day(2010, 1, 1), true, '7', "QWEA10510170"},
		{"Tremblay", "Pierre", day(1965, 3, 5), false, '1', "TREP65030512"},
		{"Gagnon", "Marie", day(1972, 8, 12), true, '1', "GAGM72581219"},
	}
	for _, c := range cases {
		got, err := MakeNAM(c.sur, c.first, c.birth, c.female, c.diff)
		if err != nil || got != c.want {
			t.Errorf("MakeNAM(%s %s) = %q, %v; want %q", c.first, c.sur, got, err, c.want)
		}
		n, err := ParseNAM(c.want, today)
		if err != nil || !n.BirthDate.Equal(c.birth) || n.Female != c.female {
			t.Errorf("ParseNAM(%s) = %+v, %v", c.want, n, err)
		}
	}
	if _, err := ParseNAM("ASDA20011313", today); err != nil {
		t.Errorf("ASDA20011313 is a published valid NAM: %v", err)
	}
}

func TestNAMLettersNormalisation(t *testing.T) {
	cases := map[[2]string]string{
		{"Côté", "Jean"}:             "COTJ",
		{"Saint-Pierre", "Élise"}:    "STPE",
		{"Sainte Marie", "Luc"}:      "STML",
		{"Ste-Croix", "Ève"}:         "STCE",
		{"Saintonge", "Paul"}:        "SAIP",
		{"O'Neil", "Anne"}:           "ONEA",
		{"Ng", "Thi"}:                "NGXT",
		{"D'Amours-Lévesque", "Zoé"}: "DAMZ",
	}
	for in, want := range cases {
		if got := NAMLetters(in[0], in[1]); got != want {
			t.Errorf("NAMLetters(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// A centenarian's NAM validates with the previous century.
func TestParseNAMCenturyFallback(t *testing.T) {
	birth := day(1921, 4, 2)
	v, _ := MakeNAM("Bélanger", "Rose", birth, true, '1')
	n, err := ParseNAM(v, today)
	if err != nil || n.BirthDate.Year() != 1921 {
		t.Fatalf("ParseNAM(%s) = %+v, %v; want born 1921", v, n, err)
	}
}

func TestParseNAMRejects(t *testing.T) {
	bad := map[string]string{
		"TREP6503051":   "length",
		"TRE165030512":  "letters",
		"TREP6503A512":  "digits",
		"TREP65030502":  "differentiator 0",
		"TREP65030513":  "check digit",
		"TREP65130512":  "month 13",
		"TREP65023012":  "30 February",
		"TREP6503051O2": "length with O",
	}
	for v, why := range bad {
		_, err := ParseNAM(v, today)
		if dsn.KindOf(err) != dsn.KindInvalid || dsn.Message(err) == "" {
			t.Errorf("ParseNAM(%s) [%s] = %v; want a KindInvalid with a message", v, why, err)
		}
	}
	if _, err := ParseNAM("trep 6503 0512", today); err != nil {
		t.Errorf("spaces and lower case must be accepted: %v", err)
	}
	if _, err := MakeNAM("Roy", "Sophie", day(1989, 6, 30), true, 'O'); err == nil {
		t.Error("differentiator O must be refused")
	}
}

// A NAM disagreeing with the demographics gives one warning per
// disagreement, in French; an agreeing one gives none.
func TestNAMWarnings(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	nam := "TREP65030512" // Pierre Tremblay, M, 1965-03-05 (quebec.md §1.1)
	pat := func(family, given, birth, gender, nam string) fhir.Object {
		return fhir.Object{"resourceType": "Patient", "name": []any{map[string]any{"family": family, "given": []any{given}}},
			"birthDate": birth, "gender": gender, "identifier": []any{map[string]any{"system": NAMSystem, "value": nam}}}
	}
	if w := NAMWarnings(pat("Tremblay", "Pierre", "1965-03-05", "male", nam), now); len(w) != 0 {
		t.Fatalf("consistent NAM: %v", w)
	}
	if w := NAMWarnings(fhir.Object{"resourceType": "Patient"}, now); w != nil {
		t.Fatalf("no NAM: %v", w)
	}
	w := NAMWarnings(pat("Gagnon", "Marc", "1965-05-03", "female", nam), now)
	want := []string{"lettres TRE", "lettre P", "date de naissance encodée", "sexe inscrit à la RAMQ (M)"}
	if len(w) != len(want) {
		t.Fatalf("want %d warnings, got %q", len(want), w)
	}
	for i, s := range want {
		if !strings.Contains(w[i].FR, s) {
			t.Errorf("warning %d = %q, want it to say %q", i, w[i], s)
		}
	}
	// A bad check digit is a warning too, with the parser's reason.
	w = NAMWarnings(pat("Tremblay", "Pierre", "1965-03-05", "male", "TREP65030513"), now)
	if len(w) != 1 || !strings.Contains(w[0].FR, "chiffre de contrôle") || strings.Contains(w[0].FR, "mpi.ParseNAM") ||
		w[0].EN != "NAM TREP65030513: the NAM's check digit does not match (a typo?) (check the health insurance card)" {
		t.Fatalf("bad check digit: %q", w)
	}
}
