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
	return uuidText(&b)
}

// TimeOrderedIDs makes version-7 UUID strings (RFC 9562 §5.7): 48 bits of
// Unix milliseconds, then 12 bits of sub-millisecond time (§6.2, method 3),
// then 62 random bits. Their text sorts by creation time, so new resources
// land at the right end of the (type, id) B-trees instead of at random
// pages: fewer page splits and fewer dirty pages per commit
// (docs/decisions/0009-time-ordered-ids.md). The default id source of the
// repository.
type TimeOrderedIDs struct{}

// NewID returns a version-7 UUID for the current time.
func (TimeOrderedIDs) NewID() string { return uuid7(time.Now()) }

func uuid7(t time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[8:]); err != nil {
		panic("dsn: no randomness: " + err.Error())
	}
	ns := t.UnixNano()
	ms := uint64(ns / 1e6)
	sub := uint64(ns%1e6) * 4096 / 1e6 // the fraction of the millisecond in 12 bits
	b[0], b[1], b[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	b[3], b[4], b[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = 0x70 | byte(sub>>8)
	b[7] = byte(sub)
	b[8] = b[8]&0x3f | 0x80
	return uuidText(&b)
}

func uuidText(b *[16]byte) string {
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
