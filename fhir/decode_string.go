package fhir

import (
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Strings and property names of the strict JSON parser (RFC 8259 §7).

// key reads a property name. Names of R4 elements are interned: the lookup
// m[string(b)] does not allocate, so the common keys cost no allocation.
func (p *parser) key() (string, error) {
	end := p.i + 1
	for end < len(p.b) && p.b[end] != '"' && p.b[end] != '\\' && p.b[end] >= 0x20 && p.b[end] < 0x80 {
		end++
	}
	if end < len(p.b) && p.b[end] == '"' {
		if k, ok := internedKeys()[string(p.b[p.i+1:end])]; ok {
			p.i = end + 1
			return k, nil
		}
	}
	return p.str()
}

var (
	keysOnce sync.Once
	keys     map[string]string
)

// internedKeys returns the JSON names of every R4 element, with their "_" form.
func internedKeys() map[string]string {
	keysOnce.Do(func() {
		keys = map[string]string{"resourceType": "resourceType"}
		for _, td := range R4().types {
			for k, r := range td.byJSON {
				keys[k] = k
				keys[r.extKey] = r.extKey
			}
		}
	})
	return keys
}

// str reads a string; the fast path copies it once when it has no escape.
func (p *parser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.src[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(s) {
				return "", &syntaxError{off: start, msg: say("json.utf8")}
			}
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.fail("json.control")
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return "", p.fail("json.unterminated")
}

// escaped continues reading a string that contains escapes.
func (p *parser) escaped(start int) (string, error) {
	var sb strings.Builder
	sb.Write(p.b[start:p.i])
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			s := sb.String()
			if !utf8.ValidString(s) {
				return "", &syntaxError{off: start, msg: say("json.utf8")}
			}
			return s, nil
		case c < 0x20:
			return "", p.fail("json.control")
		case c != '\\':
			sb.WriteByte(c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			break
		}
		p.i += 2
		switch e := p.b[p.i-1]; e {
		case '"', '\\', '/':
			sb.WriteByte(e)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, err := p.unicode()
			if err != nil {
				return "", err
			}
			sb.WriteRune(r)
		default:
			return "", p.fail("json.escape")
		}
	}
	return "", p.fail("json.unterminated")
}

// unicode reads the XXXX of \uXXXX (p.i after the u), joining surrogate pairs.
func (p *parser) unicode() (rune, error) {
	r, ok := p.hex4()
	if !ok {
		return 0, p.fail("json.unicode")
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
		save := p.i
		p.i += 2
		if r2, ok := p.hex4(); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, nil
			}
		}
		p.i = save
	}
	return utf8.RuneError, nil // a lone surrogate, as encoding/json does
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}
