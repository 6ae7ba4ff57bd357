package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 512

// parser is a strict JSON (RFC 8259) reader for FHIR: it rejects duplicate keys
// (json.html#2.6.2: "objects SHALL NOT have duplicate properties"), invalid UTF-8
// and trailing data, and keeps numbers as json.Number so decimals keep their
// precision. encoding/json silently keeps the last duplicate, hence this parser.
//
// Strings without escapes and numbers are substrings of one copy of the input
// (src), so they cost no allocation each; they keep that copy alive as long
// as any of them is, which for a decoded resource is its own lifetime.
type parser struct {
	b     []byte
	src   string // the same bytes, copied once
	items []any  // scratch stack of array items being read
	i     int
	depth int
}

// syntaxError is a parse failure at a byte offset.
type syntaxError struct {
	off int
	msg text // what is wrong, in both languages
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s (octet %d)", e.msg.FR, e.off) }

// fail is the sentence id (messages.go) at the parser's offset.
func (p *parser) fail(id string) error { return &syntaxError{off: p.i, msg: messages[id]} }

// parseJSON parses one JSON value that must fill the whole input.
func parseJSON(b []byte) (any, error) {
	p := &parser{b: b, src: string(b)}
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
		return nil, p.fail("json.after")
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
		return nil, p.fail("json.end")
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
	return nil, p.fail("json.char")
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
		return nil, p.fail("json.deep")
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
			return nil, p.fail("json.name")
		}
		at := p.i
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		if _, dup := obj[key]; dup {
			return nil, &syntaxError{off: at, msg: say("json.duplicate", key)}
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("json.colon")
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
		return nil, p.fail("json.object-sep")
	}
}

func (p *parser) array() (any, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, p.fail("json.deep")
	}
	defer func() { p.depth-- }()
	p.i++ // [
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return []any{}, nil
	}
	// Items go on a scratch stack shared by all arrays, then into one slice of
	// the exact size: no growth reallocations.
	start := len(p.items)
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, v)
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			arr := append([]any(nil), p.items[start:]...)
			clear(p.items[start:])
			p.items = p.items[:start]
			return arr, nil
		}
		return nil, p.fail("json.array-sep")
	}
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
		return nil, p.fail("json.number")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return nil, p.fail("json.number")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return nil, p.fail("json.number")
		}
	}
	return json.Number(p.src[start:p.i]), nil
}

func (p *parser) digits() int {
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}
