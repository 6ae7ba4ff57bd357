package mpi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language/words"
)

// NAMWarnings checks the Patient's NAM against its own demographics
// (quebec.md §1.1): format and check digit, the 3 letters of the surname at
// birth, the first letter of the given name, the birth date and the sex
// recorded at RAMQ. Each disagreement is one sentence, in French and in
// English (messages.go), for a warning —
// never a reason to refuse the write: RAMQ does not publish the check-digit
// rule, a married name differs from the surname at birth, and the CAM may
// carry the marker X. nil when the Patient has no NAM or everything agrees.
func NAMWarnings(p fhir.Object, now time.Time) []words.Text {
	r := FromPatient(p)
	if r.NAM == "" {
		return nil
	}
	n, err := ParseNAM(r.NAM, now)
	if err != nil {
		why := errText(err)
		m := messages["nam.warn-invalid"]
		return []words.Text{{FR: fmt.Sprintf(m.FR, r.NAM, why.FR), EN: fmt.Sprintf(m.EN, r.NAM, why.EN)}}
	}
	var out []words.Text
	if len(r.Family) > 0 && !namFamilyAgrees(n, r.Family) {
		out = append(out, messages["nam.warn-family"].Format(n.Value, n.Letters[:3], strings.Join(r.Family, ", ")))
	}
	if given := append(append([]string{}, r.Given...), r.OtherGiven...); len(given) > 0 && !namGivenAgrees(n, given) {
		out = append(out, messages["nam.warn-given"].Format(n.Value, n.Letters[3:], strings.Join(given, ", ")))
	}
	if r.BirthDate != "" && !namBirthAgrees(n, r.BirthDate) {
		out = append(out, messages["nam.warn-birth"].Format(n.Value, n.BirthDate.Day(), int(n.BirthDate.Month()), n.Value[4:6], r.BirthDate))
	}
	if (r.Sex == "male" && n.Female) || (r.Sex == "female" && !n.Female) {
		out = append(out, messages["nam.warn-sex"].Format(n.Value, map[bool]string{true: "F", false: "M"}[n.Female], r.Sex))
	}
	return out
}

// namFamilyAgrees: some family name (usual, official, maiden…) gives the
// NAM's 3 letters.
func namFamilyAgrees(n NAM, families []string) bool {
	for _, f := range families {
		if NAMLetters(f, "X")[:3] == n.Letters[:3] {
			return true
		}
	}
	return false
}

// namGivenAgrees: some given name starts with the NAM's 4th letter (the
// usual first name on the card may be any of them).
func namGivenAgrees(n NAM, given []string) bool {
	for _, g := range given {
		if NAMLetters("XXX", g)[3] == n.Letters[3] {
			return true
		}
	}
	return false
}

// namBirthAgrees compares year modulo 100, month and day: the century is
// not in the NAM.
func namBirthAgrees(n NAM, birthDate string) bool {
	d, err := time.Parse("2006-01-02", birthDate)
	if err != nil {
		return true
	}
	return d.Year()%100 == n.BirthDate.Year()%100 && d.Month() == n.BirthDate.Month() && d.Day() == n.BirthDate.Day()
}

// errText is the message of a dsn.Error without its operation prefix, in
// both languages (its French where it has no English).
func errText(err error) words.Text {
	var e *dsn.Error
	if errors.As(err, &e) && e.Msg != "" {
		if e.English == "" {
			return words.Text{FR: e.Msg, EN: e.Msg}
		}
		return words.Text{FR: e.Msg, EN: e.English}
	}
	return words.Text{FR: err.Error(), EN: err.Error()}
}
