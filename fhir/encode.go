package fhir

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// leadKeys come first in every object, in this order, as in the spec's own
// examples (json.html#resources: resourceType first); other keys follow sorted,
// so the output is deterministic.
var leadKeys = [...]string{"resourceType", "id", "meta"}

// Encode writes v as compact JSON without HTML escaping. It knows the shapes
// Decode produces (maps, slices, strings, json.Number, bools, nil) plus
// json.RawMessage, written as is; anything else goes through encoding/json.
func Encode(v any) []byte { return appendValue(make([]byte, 0, 512), v) }

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case json.Number:
		return append(b, x...)
	case json.RawMessage:
		return append(b, x...)
	case map[string]any:
		return appendObject(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			// Only values built by our own code reach here.
			panic("fhir.Encode: " + err.Error())
		}
		return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	}
}

func appendObject(b []byte, m map[string]any) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != leadKeys[0] && k != leadKeys[1] && k != leadKeys[2] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = append(b, '{')
	first := true
	field := func(k string, v any) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, v)
	}
	for _, k := range leadKeys {
		if v, ok := m[k]; ok {
			field(k, v)
		}
	}
	for _, k := range keys {
		field(k, m[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, quoted and escaped as Encode
// does, for callers that write a document straight into a buffer.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

// appendString quotes s as encoding/json does without HTML escaping (RFC 8259
// §7): quote, backslash and control characters escaped; invalid UTF-8 becomes
// U+FFFD; U+2028 and U+2029 are escaped so the output is safe inside JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
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
