// Package jsonstr writes a Go string as a JSON string, quoted and escaped
// byte for byte as encoding/json does, into a caller's buffer: the FHIR
// encoder (fhir) and the audit journal (audit) both write JSON by hand,
// without reflection, and must not drift from encoding/json or each other.
package jsonstr

import "unicode/utf8"

// Append appends s quoted as encoding/json does with HTML escaping off
// (Encoder.SetEscapeHTML(false)): what the FHIR API writes.
func Append(b []byte, s string) []byte { return appendString(b, s, &plain) }

// AppendHTMLSafe appends s quoted as json.Marshal does: < > & also escaped
// as \u003c \u003e \u0026, so the bytes are safe inside HTML.
func AppendHTMLSafe(b []byte, s string) []byte { return appendString(b, s, &htmlSafe) }

// An escape table says, for each ASCII byte, how it is written: 0 as itself,
// 'u' as \u00XX, any other letter as that short escape (\n, \" …).
type escapes [utf8.RuneSelf]byte

var plain, htmlSafe = table(false), table(true)

// table follows RFC 8259 §7 as encoding/json applies it: quote, backslash
// and the control characters must be escaped; \b \f \n \r \t have a short
// form (encoding/json uses it for \b and \f since Go 1.22).
func table(html bool) escapes {
	var t escapes
	for c := range 0x20 {
		t[c] = 'u'
	}
	t['"'], t['\\'] = '"', '\\'
	t['\b'], t['\f'], t['\n'], t['\r'], t['\t'] = 'b', 'f', 'n', 'r', 't'
	if html {
		t['<'], t['>'], t['&'] = 'u', 'u', 'u'
	}
	return t
}

const hexDigits = "0123456789abcdef"

// appendString copies runs of bytes that need no escape in one append.
// Beyond ASCII: invalid UTF-8 becomes \ufffd, and U+2028 and U+2029 are
// escaped (valid JSON, but line ends in JavaScript), as encoding/json does.
func appendString(b []byte, s string, esc *escapes) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			e := esc[c]
			if e == 0 {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			if e == 'u' {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				b = append(b, '\\', e)
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
