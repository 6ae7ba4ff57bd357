package dsn

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Clock gives the current time; injected so tests control it (DESIGN.md §5.4).
type Clock interface{ Now() time.Time }

// SystemClock is the real clock, in UTC truncated to microseconds (the precision
// both databases keep).
type SystemClock struct{}

// Now returns the current UTC time truncated to microseconds.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// IDSource makes new logical ids; injected so tests and the synthetic
// population are deterministic.
type IDSource interface{ NewID() string }

// RandomIDs makes random version-4 UUID strings (valid FHIR ids: 36 chars).
type RandomIDs struct{}

// NewID returns a random UUID in its canonical textual form.
func (RandomIDs) NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("dsn: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// FormatInstant writes t as a FHIR instant with microseconds, e.g.
// 2026-11-25T21:47:20.123456Z (datatypes.html#instant).
func FormatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}
