package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 512

// parser is a strict JSON (RFC 8259) reader for FHIR: it rejects duplicate keys
// (json.html#2.6.2: "objects SHALL NOT have duplicate properties"), invalid UTF-8
// and trailing data, and keeps numbers as json.Number so decimals keep their
// precision. encoding/json silently keeps the last duplicate, hence this parser.
type parser struct {
	b     []byte
	i     int
	depth int
}

// syntaxError is a parse failure at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s (octet %d)", e.msg, e.off) }

func (p *parser) fail(msg string) error { return &syntaxError{off: p.i, msg: msg} }

// parseJSON parses one JSON value that must fill the whole input.
func parseJSON(b []byte) (any, error) {
	p := &parser{b: b}
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		p.i = 3 // RFC 8259 §8.1: a parser MAY ignore a byte order mark
	}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.b) {
		return nil, p.fail("données après la valeur JSON")
	}
	return v, nil
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (any, error) {
	if p.i >= len(p.b) {
		return nil, p.fail("fin inattendue du JSON")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case p.literal("true"):
		return true, nil
	case p.literal("false"):
		return false, nil
	case p.literal("null"):
		return nil, nil
	}
	return nil, p.fail("caractère inattendu")
}

func (p *parser) literal(word string) bool {
	if bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		p.i += len(word)
		return true
	}
	return false
}

func (p *parser) object() (any, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, p.fail("JSON trop profondément imbriqué")
	}
	defer func() { p.depth-- }()
	p.i++ // {
	obj := map[string]any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return obj, nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.fail("nom de propriété attendu")
		}
		at := p.i
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		if _, dup := obj[key]; dup {
			return nil, &syntaxError{off: at, msg: fmt.Sprintf("propriété %q en double", key)}
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("':' attendu")
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		obj[key] = v
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return obj, nil
		}
		return nil, p.fail("',' ou '}' attendu")
	}
}

func (p *parser) array() (any, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, p.fail("JSON trop profondément imbriqué")
	}
	defer func() { p.depth-- }()
	p.i++ // [
	arr := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return arr, nil
	}
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return arr, nil
		}
		return nil, p.fail("',' ou ']' attendu")
	}
}

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
			s := string(p.b[start:p.i])
			p.i++
			if !ascii && !utf8.ValidString(s) {
				return "", &syntaxError{off: start, msg: "chaîne en UTF-8 invalide"}
			}
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.fail("caractère de contrôle dans une chaîne")
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return "", p.fail("chaîne non terminée")
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
				return "", &syntaxError{off: start, msg: "chaîne en UTF-8 invalide"}
			}
			return s, nil
		case c < 0x20:
			return "", p.fail("caractère de contrôle dans une chaîne")
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
			return "", p.fail("séquence d'échappement invalide")
		}
	}
	return "", p.fail("chaîne non terminée")
}

// unicode reads the XXXX of \uXXXX (p.i after the u), joining surrogate pairs.
func (p *parser) unicode() (rune, error) {
	r, ok := p.hex4()
	if !ok {
		return 0, p.fail("échappement \\u invalide")
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

// number reads a JSON number (RFC 8259 §6) and keeps its text.
func (p *parser) number() (any, error) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return nil, p.fail("nombre invalide")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return nil, p.fail("nombre invalide")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return nil, p.fail("nombre invalide")
		}
	}
	return json.Number(p.b[start:p.i]), nil
}

func (p *parser) digits() int {
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}
