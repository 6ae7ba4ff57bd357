package fhirapi

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAll: whatever size is announced (exact, short, long, none, over the
// limit), readAll returns exactly the bytes of the source, as io.ReadAll does,
// also when the source gives them a few bytes at a time.
func TestReadAll(t *testing.T) {
	body := strings.Repeat(`{"resourceType":"Patient"}`, 100)
	for _, size := range []int64{int64(len(body)), 10, int64(len(body)) + 7, 0, -1, 1 << 40} {
		for _, slow := range []bool{false, true} {
			var src io.Reader = strings.NewReader(body)
			if slow {
				src = iotest.HalfReader(src)
			}
			got, err := readAll(src, size, 1<<20)
			if err != nil || !bytes.Equal(got, []byte(body)) {
				t.Errorf("size %d slow %v: %d bytes, err %v; want the %d bytes", size, slow, len(got), err, len(body))
			}
		}
	}
	// a reading error is returned with what came before it
	_, err := readAll(iotest.TimeoutReader(strings.NewReader(body)), int64(len(body)), 1<<20)
	if err != iotest.ErrTimeout {
		t.Errorf("err %v, want %v", err, iotest.ErrTimeout)
	}
}
