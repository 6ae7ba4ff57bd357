package fhir

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"dsn/internal/jsonstr"
)

// leadKeys come first in every object, in this order, as in the spec's own
// examples (json.html#resources: resourceType first); other keys follow sorted,
// so the output is deterministic.
var leadKeys = [...]string{"resourceType", "id", "meta"}

// Encode writes v as compact JSON without HTML escaping. It knows the shapes
// Decode produces (maps, slices, strings, json.Number, bools, nil) plus
// json.RawMessage, written as is; anything else goes through encoding/json.
//
// The JSON is written into a pooled buffer and returned as an exact copy: a
// buffer grown from a small one for each document allocated and copied about
// twice its size (a transaction Bundle's 26 encodings, session 10).
func Encode(v any) []byte {
	bp := encodeBufs.Get().(*[]byte)
	b := appendValue((*bp)[:0], v)
	out := bytes.Clone(b)
	if cap(b) <= maxPooledEncodeBuf {
		*bp = b
		encodeBufs.Put(bp)
	}
	return out
}

// encodeBufs are Encode's scratch buffers; one larger than
// maxPooledEncodeBuf (a large search page) is let go.
var encodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

const maxPooledEncodeBuf = 1 << 20

// AppendEncode appends the encoding of v (as Encode writes it) to b: a caller
// that reuses its buffer spares the doublings of a growing one (a 20-entry
// search Bundle grew 512 B → 32 KB, ~60 KB of garbage per search).
func AppendEncode(b []byte, v any) []byte { return appendValue(b, v) }

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

// member is one key and value of an object being encoded.
type member struct {
	k string
	v any
}

// smallObject is the number of members up to which an object's sorted
// members live on the stack: most FHIR objects have a handful.
const smallObject = 16

func appendObject(b []byte, m map[string]any) []byte {
	// One pass over the map collects keys with their values, so that
	// writing them costs no second lookup per key.
	var stack [smallObject]member
	members := stack[:0]
	var lead [len(leadKeys)]member
	nlead := 0
	for k, v := range m {
		switch k {
		case leadKeys[0]:
			lead[0] = member{k, v}
			nlead |= 1
		case leadKeys[1]:
			lead[1] = member{k, v}
			nlead |= 2
		case leadKeys[2]:
			lead[2] = member{k, v}
			nlead |= 4
		default:
			members = append(members, member{k, v})
		}
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.k, b.k) })
	b = append(b, '{')
	first := true
	for i := range lead {
		if nlead&(1<<i) != 0 {
			b = appendMember(b, lead[i], first)
			first = false
		}
	}
	for _, mb := range members {
		b = appendMember(b, mb, first)
		first = false
	}
	return append(b, '}')
}

func appendMember(b []byte, mb member, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendString(b, mb.k)
	b = append(b, ':')
	return appendValue(b, mb.v)
}

// AppendString appends s as a JSON string, quoted and escaped as Encode
// does, for callers that write a document straight into a buffer.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

// appendString quotes s as encoding/json does without HTML escaping (RFC 8259
// §7); internal/jsonstr holds the escaping, shared with the audit journal.
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s) }
