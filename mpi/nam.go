// Package mpi is DSN's master patient index: identifiers (NAM and others),
// normalisation, matching and the provincial record. This file holds the Québec
// health insurance number (NAM); see ../shared/docs/quebec.md §1.1.
package mpi

import (
	"strings"
	"time"

	"dsn"
	"dsn/search"
)

// NAMSystem is Infoway's naming system for Québec health numbers (identifier type JHN).
const NAMSystem = "https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id"

// NAM is what a valid Québec health insurance number encodes.
type NAM struct {
	Value     string    // 12 characters, upper case, no spaces: LLLL YYMMDD XC
	Letters   string    // 3 letters of the surname at birth + 1 of the first given name
	BirthDate time.Time // with the century that made the check digit valid
	Female    bool      // month + 50 (the sex recorded at RAMQ, not a gender to display)
	Diff      byte      // the differentiator chosen by RAMQ (digit or letter)
}

// namWeights are the position weights of the de facto check-digit rule
// (INSPQ Utilitaire NAM; quebec.md §1.1).
var namWeights = [14]int{1, 3, 7, 9, 1, 7, 1, 3, 4, 5, 7, 6, 9, 1}

// NAMLetters gives the 4 letters a NAM starts with: the first 3 letters of the
// surname at birth (accents removed; spaces, hyphens and apostrophes dropped;
// SAINT-/SAINTE-/STE- become ST; padded with X) and the first letter of the
// first given name.
func NAMLetters(surnameAtBirth, firstName string) string {
	s := lettersOnly(saintToST(surnameAtBirth))
	for len(s) < 3 {
		s += "X"
	}
	f := lettersOnly(firstName)
	if f == "" {
		f = "X"
	}
	return s[:3] + f[:1]
}

// saintToST rewrites a leading SAINT/SAINTE/STE word ("Saint-Pierre",
// "Ste Marie") as ST, leaving names that merely start so ("Saintonge") alone.
func saintToST(name string) string {
	up := fold(strings.TrimSpace(name))
	for _, p := range []string{"SAINTE", "SAINT", "STE"} {
		if len(up) > len(p) && strings.HasPrefix(up, p) && strings.ContainsRune("- '", rune(up[len(p)])) {
			return "ST" + up[len(p)+1:]
		}
	}
	return up
}

// MakeNAM builds a valid NAM (used by the synthetic population). diff must be one
// of 1-9, A-H, J-N, P-Z.
func MakeNAM(surnameAtBirth, firstName string, birth time.Time, female bool, diff byte) (string, error) {
	if !validDiff(diff) {
		return "", dsn.Errorf("mpi.MakeNAM", dsn.KindInvalid, "caractère différenciateur %q invalide", diff)
	}
	letters := NAMLetters(surnameAtBirth, firstName)
	month := int(birth.Month())
	if female {
		month += 50
	}
	b := []byte(letters)
	b = appendTwo(b, birth.Year()%100)
	b = appendTwo(b, month)
	b = appendTwo(b, birth.Day())
	b = append(b, diff)
	b = append(b, '0'+checkDigit(letters, birth, female, diff))
	return string(b), nil
}

// ParseNAM checks a NAM's format and check digit, trying the most recent
// century not in the future first and then the one before (people over 100).
// Spaces are ignored and letters may be lower case. now bounds the birth year.
// Errors are KindInvalid with a French message. A valid NAM may still disagree
// with the demographics: that is a warning for the caller (CompareNAM), never a block.
func ParseNAM(s string, now time.Time) (NAM, error) {
	v := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(v) != 12 {
		return NAM{}, namErr("nam.length")
	}
	for i := 0; i < 4; i++ {
		if v[i] < 'A' || v[i] > 'Z' {
			return NAM{}, namErr("nam.letters")
		}
	}
	for i := 4; i < 10; i++ {
		if v[i] < '0' || v[i] > '9' {
			return NAM{}, namErr("nam.digits")
		}
	}
	if !validDiff(v[10]) || v[11] < '0' || v[11] > '9' {
		return NAM{}, namErr("nam.last")
	}
	yy, mm, dd := num2(v[4:6]), num2(v[6:8]), num2(v[8:10])
	female := mm > 50
	if female {
		mm -= 50
	}
	if mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return NAM{}, namErr("nam.date")
	}
	century := now.Year() / 100 * 100
	if century+yy > now.Year() {
		century -= 100
	}
	for _, c := range []int{century, century - 100} {
		birth := time.Date(c+yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
		if birth.Day() != dd {
			return NAM{}, namErr("nam.date")
		}
		if '0'+checkDigit(v[:4], birth, female, v[10]) == v[11] {
			return NAM{Value: v, Letters: v[:4], BirthDate: birth, Female: female, Diff: v[10]}, nil
		}
	}
	return NAM{}, namErr("nam.check")
}

// checkDigit is the sum of EBCDIC codes × weights mod 10 over the 14-character
// string letters + YYYY + M|F + real month + day + differentiator.
func checkDigit(letters string, birth time.Time, female bool, diff byte) byte {
	sex := byte('M')
	if female {
		sex = 'F'
	}
	var s [14]byte
	copy(s[:4], letters)
	y := birth.Year()
	s[4], s[5], s[6], s[7] = byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	s[8] = sex
	m, d := int(birth.Month()), birth.Day()
	s[9], s[10], s[11], s[12] = byte('0'+m/10), byte('0'+m%10), byte('0'+d/10), byte('0'+d%10)
	s[13] = diff
	sum := 0
	for i, c := range s {
		sum += ebcdic(c) * namWeights[i]
	}
	return byte(sum % 10)
}

// ebcdic maps upper-case letters and digits to their EBCDIC code points.
func ebcdic(c byte) int {
	switch {
	case c >= 'A' && c <= 'I':
		return 193 + int(c-'A')
	case c >= 'J' && c <= 'R':
		return 209 + int(c-'J')
	case c >= 'S' && c <= 'Z':
		return 226 + int(c-'S')
	case c >= '0' && c <= '9':
		return 240 + int(c-'0')
	}
	return 0
}

// validDiff: 1-9, A-H, J-N, P-Z (no 0, I, O: quebec.md §1.1).
func validDiff(c byte) bool {
	return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O')
}

// lettersOnly upper-cases, removes accents and keeps A-Z only.
func lettersOnly(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold removes diacritics and upper-cases (é→E, œ→OE) with the same folding as
// string search, so identity and search agree on what a name is.
func fold(s string) string { return strings.ToUpper(search.Normalize(s)) }

func appendTwo(b []byte, n int) []byte { return append(b, byte('0'+n/10%10), byte('0'+n%10)) }

func num2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// namErr is ParseNAM's refusal saying the sentence id, in both languages.
func namErr(id string) error {
	m := messages[id]
	return &dsn.Error{Op: "mpi.ParseNAM", Kind: dsn.KindInvalid, Msg: m.FR, English: m.EN}
}
