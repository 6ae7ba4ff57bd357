package mpi

import "strings"

// Phonetic encodes a name as it sounds in Québec French, so that spellings of
// one pronunciation share a key: Tremblay/Tremblé, Thibault/Thibeault/Thibodeau
// differ only where the sound differs, Gauthier/Gaultier/Gotier agree.
// The rules, applied in this order on the folded letters A–Z (NormalizeName):
//
//  1. Multi-letter spellings become one sound: EAU, AU, AULT → O; OULT → U; OU → U; OI → OA;
//     AI, EI, AY, EY → E; PH → F; CH, SCH, SH → S (the "ch" sound); QU, Q, CK → K;
//     GU before E/I → G; GN → N; TH → T; W → V.
//  2. C before E/I/Y → S, other C → K; G before E/I/Y → J; X → KS; Z → S; Y → I.
//  3. Nasal vowels: AN/AM/EN/EM → A and ON/OM → O and IN/IM/AIN/EIN/UN → E
//     when followed by a consonant or the end (not before a vowel or a second N/M).
//  4. Final silent endings: ER/ET/EZ → E; a final S, T, D, X or P is dropped;
//     a final E after a consonant is dropped (Lise = LIS).
//  5. H is silent and dropped; a doubled letter counts once.
//  6. The key keeps the first letter and then the consonants only, so vowel
//     spellings that the rules above missed (Thibault/Thibeau) still agree.
//
// This is an encoding designed for this index, not Soundex or Phonex: it is
// tuned for blocking recall (one key per sound) rather than for linguistics.
func Phonetic(name string) string {
	s := lettersOnly(name)
	if s == "" {
		return ""
	}
	s = rewrite(s, multiGraphs)
	s = silentEnd(s)
	s = softLetters(s)
	s = nasals(s)
	if len(s) > 2 && s[len(s)-1] == 'E' && !isVowel(s[len(s)-2]) {
		s = s[:len(s)-1]
	}
	return skeleton(s)
}

// multiGraphs are applied longest first at each position (rule 1).
var multiGraphs = []struct{ from, to string }{
	{"SCH", "S"}, {"EAULT", "O"}, {"EAU", "O"}, {"AULT", "O"}, {"OULT", "U"}, {"AIN", "EN"}, {"EIN", "EN"},
	{"AU", "O"}, {"OU", "U"}, {"OI", "OA"}, {"AI", "E"}, {"EI", "E"}, {"AY", "E"}, {"EY", "E"},
	{"PH", "F"}, {"CH", "S"}, {"SH", "S"}, {"QU", "K"}, {"CK", "K"}, {"GN", "N"}, {"TH", "T"},
	{"GUE", "GE"}, {"GUI", "GI"}, {"Q", "K"}, {"W", "V"},
}

func rewrite(s string, rules []struct{ from, to string }) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		done := false
		for _, r := range rules {
			if strings.HasPrefix(s[i:], r.from) {
				b.WriteString(r.to)
				i += len(r.from)
				done = true
				break
			}
		}
		if !done {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// softLetters applies rule 2.
func softLetters(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		next := byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		soft := next == 'E' || next == 'I' || next == 'Y'
		switch {
		case c == 'C' && soft, c == 'Z':
			b.WriteByte('S')
		case c == 'C':
			b.WriteByte('K')
		case c == 'G' && soft:
			b.WriteByte('J')
		case c == 'X':
			b.WriteString("KS")
		case c == 'Y':
			b.WriteByte('I')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nasals applies rule 3.
func nasals(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isVowel(c) && i+1 < len(s) && (s[i+1] == 'N' || s[i+1] == 'M') &&
			(i+2 == len(s) || (!isVowel(s[i+2]) && s[i+2] != 'N' && s[i+2] != 'M')) {
			switch c {
			case 'A', 'E':
				b.WriteString("A")
			case 'O':
				b.WriteString("O")
			default:
				b.WriteString("E")
			}
			b.WriteByte('N') // keep a nasal mark so TREMBLAY and TREBLAY differ
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// silentEnd applies rule 4 but the final E, before X becomes KS.
func silentEnd(s string) string {
	for _, e := range []string{"ER", "ET", "EZ"} {
		if len(s) > 3 && strings.HasSuffix(s, e) {
			s = s[:len(s)-2] + "E"
		}
	}
	for len(s) > 2 && strings.ContainsRune("STDXP", rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	return s
}

// skeleton applies rules 5 and 6.
func skeleton(s string) string {
	b := []byte{s[0]}
	if s[0] == 'H' && len(s) > 1 {
		b[0] = s[1]
		s = s[1:]
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if isVowel(c) || c == 'H' || c == b[len(b)-1] {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

func isVowel(c byte) bool { return strings.IndexByte("AEIOUY", c) >= 0 }
