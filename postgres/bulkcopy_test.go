package postgres

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// A COPY's wire form (copies.add) is its Query, the binary COPY stream cut
// into CopyData messages of about copyChunk bytes at tuple boundaries, and
// CopyDone, each message's length right: the stream put back together is
// the signature, every tuple and the trailer.
func TestCopyWireMessages(t *testing.T) {
	cols := []string{"rid", "type", "body"}
	big := strings.Repeat("x", 1000)
	const n = 300 // ~300 KB: several CopyData messages
	var cs copies
	err := cs.add("resource_version", cols, n, func(i int) []any {
		return []any{int64(i), "Observation", []byte(`{"a":"` + big + `"}`)}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.release()
	if len(cs) != 1 {
		t.Fatalf("%d copies", len(cs))
	}
	wire := *cs[0].wire
	var types []byte
	var stream []byte
	for len(wire) > 0 {
		if len(wire) < 5 {
			t.Fatalf("truncated message header: %q", wire)
		}
		typ, size := wire[0], int(binary.BigEndian.Uint32(wire[1:5]))
		if size < 4 || 1+size > len(wire) {
			t.Fatalf("message %c of length %d in %d bytes", typ, size, len(wire))
		}
		body := wire[5 : 1+size]
		switch typ {
		case 'Q':
			if want := "COPY resource_version (rid, type, body) FROM STDIN (FORMAT binary)\x00"; string(body) != want {
				t.Errorf("query %q", body)
			}
		case 'd':
			if len(body) > copyChunk+2000 {
				t.Errorf("CopyData of %d bytes", len(body))
			}
			stream = append(stream, body...)
		case 'c':
			if len(body) != 0 {
				t.Errorf("CopyDone carries %d bytes", len(body))
			}
		}
		types = append(types, typ)
		wire = wire[1+size:]
	}
	if got := string(types); !strings.HasPrefix(got, "Qdddd") || !strings.HasSuffix(got, "dc") || strings.Trim(got[1:len(got)-1], "d") != "" {
		t.Errorf("messages %q, want Q, several d, c", got)
	}
	want := append([]byte(nil), copySignature...)
	for i := range n {
		var err error
		want, err = appendCopyTuple(want, cols, []copyKind{copyInt8, copyText, copyJSONB},
			[]any{int64(i), "Observation", []byte(`{"a":"` + big + `"}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	want = binary.BigEndian.AppendUint16(want, 0xffff)
	if !bytes.Equal(stream, want) {
		t.Errorf("the CopyData put together (%d bytes) is not the COPY stream (%d bytes)", len(stream), len(want))
	}
}
