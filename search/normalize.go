package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize prepares text for the default string match (search.html#string:
// "case-insensitive and accent-insensitive"): lower-case, accents removed,
// ligatures expanded, so "Hélène CÔTÉ" and "helene cote" are the same key.
// The table covers Latin-1 and Latin Extended-A, enough for French and the
// other languages spoken in Québec's health network; other letters are only
// lower-cased.
func Normalize(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		default:
			r = unicode.ToLower(r)
			if f, ok := folds[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// folds maps lower-case accented letters to their base letters.
var folds = buildFolds()

func buildFolds() map[rune]string {
	groups := []struct{ base, letters string }{
		{"a", "àáâãäåāăą"}, {"c", "çćĉċč"}, {"d", "ďđð"}, {"e", "èéêëēĕėęě"},
		{"g", "ĝğġģ"}, {"h", "ĥħ"}, {"i", "ìíîïĩīĭįı"}, {"j", "ĵ"}, {"k", "ķ"},
		{"l", "ĺļľŀł"}, {"n", "ñńņňŉ"}, {"o", "òóôõöøōŏő"}, {"r", "ŕŗř"},
		{"s", "śŝşš"}, {"t", "ţťŧ"}, {"u", "ùúûüũūŭůűų"}, {"w", "ŵ"},
		{"y", "ýÿŷ"}, {"z", "źżž"}, {"ae", "æ"}, {"oe", "œ"}, {"ss", "ß"}, {"th", "þ"},
	}
	m := make(map[rune]string, 128)
	for _, g := range groups {
		for _, r := range g.letters {
			m[r] = g.base
		}
	}
	return m
}
