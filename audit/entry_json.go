package audit

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendJSON appends e as JSON, byte for byte what encoding/json writes for
// an Entry (same field order, omitempty, HTML-safe escaping), without
// reflection: it runs once per journal entry on the request path, where
// json.Marshal cost ~2–3 µs of a read's ~30 µs of journal (docs/benchmarks.md,
// session 6). TestEntryJSONMatchesEncodingJSON holds the two together; the
// chain hashes these bytes, so a change here is a change of format.
func appendJSON(b []byte, e *Entry) ([]byte, error) {
	if y := e.Time.Year(); y < 0 || y > 9999 {
		// time.Time.MarshalJSON refuses these: let encoding/json say so
		_, err := json.Marshal(e.Time)
		return b, err
	}
	b = append(b, `{"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","agent":`...)
	b = appendString(b, e.Agent)
	b = appendField(b, "name", e.Name)
	b = appendField(b, "role", e.Role)
	b = appendField(b, "est", e.Establishment)
	b = appendField(b, "practitioner", e.Practitioner)
	b = appendField(b, "client", e.Client)
	b = appendField(b, "jti", e.TokenID)
	b = appendField(b, "remote", e.Remote)
	b = append(b, `,"action":`...)
	b = appendString(b, e.Action)
	b = appendField(b, "interaction", e.Interaction)
	b = appendField(b, "method", e.Method)
	b = appendField(b, "path", e.Path)
	b = appendField(b, "query", e.Query)
	if e.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
	}
	b = appendField(b, "outcome", e.Outcome)
	b = appendField(b, "patient", e.Patient)
	b = appendList(b, "resources", e.Resources)
	b = appendList(b, "denied", e.Denied)
	b = appendField(b, "basis", e.Basis)
	b = appendField(b, "purpose", e.Purpose)
	b = appendField(b, "reason", e.Reason)
	return append(b, '}'), nil
}

// appendField appends ,"name":"value" unless value is empty (omitempty).
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

func appendList(b []byte, name string, vs []string) []byte {
	if len(vs) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':', '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does (RFC 8259 §7): \" \\ and the
// short escapes of \b \f \n \r \t; other control characters and < > & as
// \u00XX (HTML-safe); invalid UTF-8 as \ufffd; U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
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
