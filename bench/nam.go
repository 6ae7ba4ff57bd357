package bench

import (
	"strings"
	"time"
)

// nam builds a Québec health insurance number (NAM) in the RAMQ layout
// LLLF YYMM DDXC: 3 letters of the surname at birth, 1 of the given name,
// birth date with month +50 for females, a differentiator and a check digit
// computed as INSPQ's published validator does (see ../shared/docs/quebec.md
// §1.1). Synthetic records still get well-formed numbers, so identity code
// sees realistic input.
func nam(family, given string, birth time.Time, female bool, diff byte) string {
	letters := namLetters(family)
	g := namLetters(given)
	if g == "" {
		g = "X"
	}
	first := letters + g[:1]
	month := int(birth.Month())
	sex := byte('M')
	if female {
		month += 50
		sex = 'F'
	}
	yy := birth.Year() % 100
	var b strings.Builder
	b.WriteString(first)
	b.WriteString(two(yy))
	b.WriteString(two(month))
	b.WriteString(two(birth.Day()))
	b.WriteByte(diff)
	// The check digit runs over a 14-character string with the four-digit year,
	// the sex letter and the real month.
	src := first + four(birth.Year()) + string(sex) + two(int(birth.Month())) + two(birth.Day()) + string(diff)
	b.WriteByte('0' + checkDigit(src))
	return b.String()
}

// namLetters gives the first three letters of a name, upper-case without
// accents, spaces, hyphens or apostrophes, SAINT/SAINTE/STE as ST, padded with X.
func namLetters(name string) string {
	up := strings.ToUpper(foldASCII(name))
	for _, p := range []string{"SAINTE-", "SAINTE ", "SAINT-", "SAINT ", "STE-", "STE ", "ST-", "ST "} {
		if strings.HasPrefix(up, p) {
			up = "ST" + up[len(p):]
			break
		}
	}
	var b []byte
	for i := 0; i < len(up) && len(b) < 3; i++ {
		if c := up[i]; c >= 'A' && c <= 'Z' {
			b = append(b, c)
		}
	}
	for len(b) < 3 {
		b = append(b, 'X')
	}
	return string(b)
}

// weights of the NAM check digit, position by position.
var namWeights = [14]int{1, 3, 7, 9, 1, 7, 1, 3, 4, 5, 7, 6, 9, 1}

func checkDigit(s string) byte {
	sum := 0
	for i := 0; i < len(s) && i < 14; i++ {
		sum += ebcdic(s[i]) * namWeights[i]
	}
	return byte(sum % 10)
}

// ebcdic maps A–Z and 0–9 to their EBCDIC codes.
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

func foldASCII(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "É", "E", "È", "E", "à", "a", "â", "a",
		"À", "A", "ç", "c", "Ç", "C", "î", "i", "ï", "i", "ô", "o", "û", "u", "ù", "u", "ü", "u")
	return r.Replace(s)
}

func two(n int) string  { return string([]byte{'0' + byte(n/10%10), '0' + byte(n%10)}) }
func four(n int) string { return two(n/100) + two(n%100) }
