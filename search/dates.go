package search

import (
	"time"
)

// DateMin and DateMax stand for the open ends of a range: a Period without a
// start indexes [DateMin, end), one without an end [start, DateMax). Both fit
// in the timestamp types of SQLite (text) and PostgreSQL, and sort correctly.
var (
	DateMin = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	DateMax = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// DateRange parses a FHIR date, dateTime or instant (datatypes.html#dateTime)
// and returns the range [low, high) its precision implies (search.html#date):
// "2026" covers the whole year, "2026-11-25T10:00" one minute, a value with
// milliseconds one millisecond. Values without a timezone are read as UTC.
// ok is false when s is not such a value.
func DateRange(s string) (low, high time.Time, ok bool) {
	var f [6]int // year, month, day, hour, minute, second
	n := len(s)
	if n < 4 || !digits(s[:4]) {
		return
	}
	f[0] = atoi(s[:4])
	f[1], f[2] = 1, 1
	i, prec := 4, 1
	for _, width := range [2]int{2, 2} { // -MM then -DD
		if i == n {
			break
		}
		if s[i] != '-' || i+1+width > n || !digits(s[i+1:i+1+width]) {
			return
		}
		f[prec] = atoi(s[i+1 : i+1+width])
		i += 1 + width
		prec++
	}
	loc := time.UTC
	var frac, fracDigits int
	if i < n {
		if prec != 3 || s[i] != 'T' {
			return
		}
		i++
		if i+5 > n || !digits(s[i:i+2]) || s[i+2] != ':' || !digits(s[i+3:i+5]) {
			return
		}
		f[3], f[4] = atoi(s[i:i+2]), atoi(s[i+3:i+5])
		i += 5
		prec = 5
		if i+3 <= n && s[i] == ':' && digits(s[i+1:i+3]) {
			f[5] = atoi(s[i+1 : i+3])
			i += 3
			prec = 6
			if i < n && s[i] == '.' {
				j := i + 1
				for j < n && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				if j == i+1 || j-i-1 > 9 {
					return
				}
				fracDigits = j - i - 1
				frac = atoi(s[i+1 : j])
				i = j
			}
		}
		var good bool
		if loc, good = zone(s[i:]); !good {
			return
		}
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return
	}
	nanos := frac
	for k := fracDigits; k < 9; k++ {
		nanos *= 10
	}
	nanos -= nanos % 1000 // the stores keep microseconds
	low = time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nanos, loc)
	if low.Day() != f[2] { // 2026-02-30 normalised into March: not a date
		return time.Time{}, time.Time{}, false
	}
	switch prec {
	case 1:
		high = low.AddDate(1, 0, 0)
	case 2:
		high = low.AddDate(0, 1, 0)
	case 3:
		high = low.AddDate(0, 0, 1)
	case 5:
		high = low.Add(time.Minute)
	default:
		step := time.Second
		for k := 0; k < fracDigits && k < 6; k++ {
			step /= 10
		}
		high = low.Add(step)
	}
	return low.UTC(), high.UTC(), true
}

// zone parses "", "Z" or "±hh:mm".
func zone(s string) (*time.Location, bool) {
	switch {
	case s == "" || s == "Z":
		return time.UTC, true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && digits(s[1:3]) && s[3] == ':' && digits(s[4:6]):
		off := atoi(s[1:3])*3600 + atoi(s[4:6])*60
		if off > 14*3600 {
			return nil, false
		}
		if s[0] == '-' {
			off = -off
		}
		return time.FixedZone("", off), true
	}
	return nil, false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string of at most 9 ASCII digits already checked by digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
