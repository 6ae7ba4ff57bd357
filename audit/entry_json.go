package audit

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
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
	if len(e.Patients) > 0 {
		b = append(appendKey(b, "patients"), '[')
		for i := range e.Patients {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPart(b, &e.Patients[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendPart writes one Part as encoding/json does (every field omitempty).
func appendPart(b []byte, p *Part) []byte {
	b = append(b, '{')
	open := len(b)
	b = appendField(b, "patient", p.Patient)
	b = appendList(b, "resources", p.Resources)
	b = appendList(b, "denied", p.Denied)
	if len(b) > open {
		b = append(b[:open], b[open+1:]...) // the first field's comma
	}
	return append(b, '}')
}

// rows turns one request's entries into the stored form. Entries that differ
// only by their record (Patient, Resources, Denied) — a search touching
// twenty records gives twenty — become one entry naming each (Patients;
// decision 0023): its head and what the request did are stored once, and the
// journal writes, moves and links one entry instead of twenty. Others keep
// one entry each, their bodies in one buffer, the head they share (who and
// when, ~60 % of a body) encoded once and copied (TestRowsShareTheHead).
func rows(entries []Entry) ([]dsn.AuditEntry, error) {
	var bufs rowBufs
	return bufs.rows(entries)
}

// rowBufs are the buffers rows builds the stored entries in: a request's
// append request keeps them from one request to the next (log.go, reqPool),
// so that a journaled request allocates neither its entries' bodies nor the
// slices around them (session 10). What rows returns lives in them until
// their next use.
type rowBufs struct {
	out   []dsn.AuditEntry
	body  []byte
	parts []Part
}

// maxKeptBody bounds the body buffer kept for the next request: an export's
// entries (up to MaxParts records each) would otherwise pin their size.
const maxKeptBody = 64 << 10

// reset empties the buffers for their next use, dropping what they point to
// (strings of the last request) and a body buffer grown past maxKeptBody.
func (rb *rowBufs) reset() {
	clear(rb.out)
	rb.out = rb.out[:0]
	clear(rb.parts)
	rb.parts = rb.parts[:0]
	if cap(rb.body) > maxKeptBody {
		rb.body = nil
	}
	rb.body = rb.body[:0]
}

func (rb *rowBufs) rows(entries []Entry) ([]dsn.AuditEntry, error) {
	rb.reset()
	if len(entries) > 1 && sameRequest(entries) {
		// at most MaxParts records per entry: an export of a whole
		// population would otherwise be one entry of megabytes, decoded
		// whole by every citizen's view that shows it
		for len(entries) > 0 {
			n := min(len(entries), MaxParts)
			var err error
			if n == 1 {
				err = rb.separate(entries[:1])
			} else {
				err = rb.merged(entries[:n])
			}
			if err != nil {
				return nil, err
			}
			entries = entries[n:]
		}
		return rb.out, nil
	}
	if err := rb.separate(entries); err != nil {
		return nil, err
	}
	return rb.out, nil
}

// MaxParts bounds the records one entry names (decision 0023): a search page
// (20 by default, up to _count) is one entry or a few; a bulk export of n
// people n/MaxParts.
const MaxParts = 100

// separate appends one stored entry per entry, their bodies in rb.body.
func (rb *rowBufs) separate(entries []Entry) error {
	n := 0
	for i := range entries {
		n += sizeHint(&entries[i])
	}
	// bodies already in rb.body keep their array if this grows it
	buf := slices.Grow(rb.body, n)
	hs, he := 0, 0 // the previous entry's head in buf
	for i := range entries {
		e := &entries[i]
		start := len(buf)
		if i > 0 && sameHead(e, &entries[i-1]) {
			buf = append(buf, buf[hs:he]...)
		} else {
			var err error
			if buf, err = appendHead(buf, e); err != nil {
				return err
			}
		}
		hs, he = start, len(buf)
		buf = appendTail(buf, e)
		rb.out = append(rb.out, dsn.AuditEntry{Time: e.Time, Patient: e.Patient, Agent: e.Agent, Action: e.Action, Body: buf[start:len(buf):len(buf)]})
	}
	rb.body = buf
	return nil
}

// sizeHint is about the length of e's JSON, a little more when its strings
// need no escaping: the keys, punctuation and time of the fields a request's
// entry usually has (~200–250 bytes), and the values. A fixed 448 bytes made a read's body (~460–520 bytes
// with a physician's head) grow its buffer once or twice.
func sizeHint(e *Entry) int {
	n := 256 + len(e.Agent) + len(e.Name) + len(e.Role) + len(e.Establishment) + len(e.Practitioner) +
		len(e.Client) + len(e.TokenID) + len(e.Remote) + len(e.Action) + len(e.Interaction) + len(e.Method) +
		len(e.Path) + len(e.Query) + len(e.Outcome) + len(e.Patient) + len(e.Basis) + len(e.Purpose) + len(e.Reason)
	for _, r := range e.Resources {
		n += len(r) + 3
	}
	for _, r := range e.Denied {
		n += len(r) + 3
	}
	return n
}

// sameRequest tells whether entries differ only by their record.
func sameRequest(entries []Entry) bool {
	a := &entries[0]
	for i := 1; i < len(entries); i++ {
		b := &entries[i]
		if !sameHead(a, b) || a.Action != b.Action || a.Interaction != b.Interaction || a.Method != b.Method ||
			a.Path != b.Path || a.Query != b.Query || a.Status != b.Status || a.Outcome != b.Outcome ||
			a.Basis != b.Basis || a.Purpose != b.Purpose || a.Reason != b.Reason || len(b.Patients) > 0 {
			return false
		}
	}
	return len(a.Patients) == 0
}

// merged is the one entry of entries (sameRequest): Patients lists each
// record's part, in order; the stored Patient names every record
// (dsn.AuditEntry.Patient).
func (rb *rowBufs) merged(entries []Entry) error {
	e := entries[0]
	e.Patient, e.Resources, e.Denied = "", nil, nil
	start := len(rb.parts)
	n := 0
	for i := range entries {
		x := &entries[i]
		rb.parts = append(rb.parts, Part{Patient: x.Patient, Resources: x.Resources, Denied: x.Denied})
		n += len(x.Patient) + 1
	}
	e.Patients = rb.parts[start:]
	var names strings.Builder // the one string kept: no copy of a []byte
	names.Grow(n)
	for i := range entries {
		if p := entries[i].Patient; p != "" {
			if names.Len() > 0 {
				names.WriteByte(' ')
			}
			names.WriteString(p)
		}
	}
	b := slices.Grow(rb.body, 256+96*len(entries))
	at := len(b)
	b, err := appendJSON(b, &e)
	if err != nil {
		return err
	}
	rb.body = b
	rb.out = append(rb.out, dsn.AuditEntry{Time: e.Time, Patient: names.String(), Agent: e.Agent, Action: e.Action, Body: b[at:len(b):len(b)]})
	return nil
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
