package search

import (
	"testing"
	"time"
)

func TestDateRange(t *testing.T) {
	cases := []struct {
		in       string
		low, dur string // dur: high - low, or "" for month/year cases checked by high
		high     time.Time
	}{
		{in: "2026", high: utc(2027, 1, 1, 0, 0, 0)},
		{in: "2024-02", high: utc(2024, 3, 1, 0, 0, 0)},
		{in: "2026-11-25", high: utc(2026, 11, 26, 0, 0, 0)},
		{in: "2026-11-25T10:30", high: utc(2026, 11, 25, 10, 31, 0)},
		{in: "2026-11-25T10:30:05", high: utc(2026, 11, 25, 10, 30, 6)},
		{in: "2026-11-25T10:30:05Z", high: utc(2026, 11, 25, 10, 30, 6)},
		{in: "2026-11-25T10:30:05-05:00", high: utc(2026, 11, 25, 15, 30, 6)},
		{in: "2026-11-25T10:30:05.120Z", high: time.Date(2026, 11, 25, 10, 30, 5, 121e6, time.UTC)},
		{in: "2026-11-25T10:30:05.1234567Z", high: time.Date(2026, 11, 25, 10, 30, 5, 123457e3, time.UTC)},
	}
	for _, c := range cases {
		_, hi, ok := DateRange(c.in)
		if !ok || !hi.Equal(c.high) || hi.Location() != time.UTC {
			t.Errorf("DateRange(%q) high = %v ok=%v, want %v", c.in, hi, ok, c.high)
		}
	}
	lo, _, _ := DateRange("2026-11-25T10:30:05-05:00")
	if !lo.Equal(utc(2026, 11, 25, 15, 30, 5)) {
		t.Errorf("low = %v", lo)
	}
	for _, bad := range []string{"", "26", "2026-1", "2026-13", "2026-02-30", "2026-11-25T", "2026-11-25T25:00",
		"2026-11-25 10:00", "2026-11-25T10:30:05+5", "2026-11-25T10:30:05.Z", "abcd", "2026-11-25T10:30:05+15:00"} {
		if _, _, ok := DateRange(bad); ok {
			t.Errorf("DateRange(%q) accepted", bad)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Hélène CÔTÉ": "helene cote", "Œuvre Ægir": "oeuvre aegir", "tremblay": "tremblay",
		"Ça Ñandú ß": "ca nandu ss", "ΣΟΦΙΑ": "σοφια",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
