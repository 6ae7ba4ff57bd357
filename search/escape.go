package search

import (
	"fmt"
	"strings"
)

// splitOr splits a parameter value on the commas that separate ORed values,
// leaving escaped commas ("\,") inside their value (search.html#escaping).
func splitOr(s string) []string { return splitUnescaped(s, ',') }

// splitUnescaped splits s on sep where sep is not preceded by a backslash
// escape; the parts keep their escapes, removed later by unescape.
func splitUnescaped(s string, sep byte) []string {
	if strings.IndexByte(s, sep) < 0 {
		return []string{s}
	}
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped character
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unescape removes the backslash of "\,", "\|", "\$" and "\\"; any other
// backslash is kept as it is.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`,|$\`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
