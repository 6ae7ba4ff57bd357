package sqlstore

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize folds text for the default string search (FHIR R4 search.html#string:
// "case- and accent-insensitive"): lower case, Latin accents removed, œ/æ
// expanded. It is idempotent, so a value already normalised by the caller (the
// search package does) is unchanged; it must match search.Normalize, which
// makes dsn.StringKey.Norm.
func Normalize(s string) string {
	// ASCII without capitals is its own normal form (most codes and many
	// texts): no copy, no lookup of every rune in fold
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c < utf8.RuneSelf && (c < 'A' || c > 'Z')
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf { // fold has no ASCII letter
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := fold[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fold maps the accented Latin letters of French (and neighbours) to ASCII.
var fold = func() map[rune]string {
	m := map[rune]string{'œ': "oe", 'æ': "ae", 'ß': "ss", 'þ': "th"}
	for base, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđð", "e": "èéêëēĕėęě", "g": "ĝğġģ",
		"h": "ĥħ", "i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ",
		"o": "òóôõöøōŏő", "r": "ŕŗř", "s": "śŝşš", "t": "ţťŧ", "u": "ùúûüũūŭůűų",
		"w": "ŵ", "y": "ýÿŷ", "z": "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
