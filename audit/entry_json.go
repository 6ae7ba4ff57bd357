package audit

import (
	"encoding/json"
	"strconv"
	"time"

	"dsn"
	"dsn/internal/jsonstr"
)

// appendJSON appends e as JSON, byte for byte what encoding/json writes for
// an Entry (same field order, omitempty, HTML-safe escaping), without
// reflection: it runs once per journal entry on the request path, where
// json.Marshal cost ~2–3 µs of a read's ~30 µs of journal (docs/benchmarks.md,
// session 6). TestEntryJSONMatchesEncodingJSON holds the two together; the
// chain hashes these bytes, so a change here is a change of format.
func appendJSON(b []byte, e *Entry) ([]byte, error) {
	b, err := appendHead(b, e)
	if err != nil {
		return b, err
	}
	return appendTail(b, e), nil
}

// appendHead writes the entry's opening and who and when (time to remote):
// the same for every entry of one request (sameHead).
func appendHead(b []byte, e *Entry) ([]byte, error) {
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
	return appendField(b, "remote", e.Remote), nil
}

// sameHead tells whether a and b's heads are written alike (the entries of
// one request share them).
func sameHead(a, b *Entry) bool {
	return a.Time == b.Time && a.Agent == b.Agent && a.Name == b.Name && a.Role == b.Role &&
		a.Establishment == b.Establishment && a.Practitioner == b.Practitioner && a.Client == b.Client &&
		a.TokenID == b.TokenID && a.Remote == b.Remote
}

// appendTail writes what the request did and to whose record, and the close.
func appendTail(b []byte, e *Entry) []byte {
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
	return append(b, '}')
}

// rows turns one request's entries into the stored form, their bodies in one
// buffer: a search touching twenty records leaves twenty entries, and the
// head each repeats (who and when, ~60 % of a body) is encoded once and
// copied (TestRowsShareTheHead; docs/benchmarks.md, session 7).
func rows(entries []Entry) ([]dsn.AuditEntry, error) {
	out := make([]dsn.AuditEntry, len(entries))
	buf := make([]byte, 0, 448*len(entries))
	hs, he := 0, 0 // the previous entry's head in buf
	for i := range entries {
		e := &entries[i]
		start := len(buf)
		if i > 0 && sameHead(e, &entries[i-1]) {
			buf = append(buf, buf[hs:he]...)
		} else {
			var err error
			if buf, err = appendHead(buf, e); err != nil {
				return nil, err
			}
		}
		hs, he = start, len(buf)
		buf = appendTail(buf, e)
		out[i] = dsn.AuditEntry{Time: e.Time, Patient: e.Patient, Agent: e.Agent, Action: e.Action, Body: buf[start:len(buf):len(buf)]}
	}
	return out, nil
}

// appendField appends ,"name":"value" unless value is empty (omitempty).
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(appendKey(b, name), v)
}

// appendList appends ,"name":[...] unless vs is empty (omitempty: nil and
// empty alike).
func appendList(b []byte, name string, vs []string) []byte {
	if len(vs) == 0 {
		return b
	}
	b = append(appendKey(b, name), '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

// appendKey appends ,"name": — name is one of Entry's keys, plain ASCII.
func appendKey(b []byte, name string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// appendString quotes s as json.Marshal does, HTML-safe (RFC 8259 §7).
func appendString(b []byte, s string) []byte { return jsonstr.AppendHTMLSafe(b, s) }
