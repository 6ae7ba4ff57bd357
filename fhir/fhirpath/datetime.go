package fhirpath

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Precision of a date/time value, from year to millisecond (N1 §Date/DateTime/Time).
type Precision uint8

// Precisions, in order.
const (
	PrecYear Precision = iota + 1
	PrecMonth
	PrecDay
	PrecHour
	PrecMinute
	PrecSecond
	PrecMilli
)

// TemporalKind says whether a DateTime is a Date, a DateTime or a Time.
type TemporalKind uint8

// Kinds of temporal values.
const (
	KindDate TemporalKind = iota + 1
	KindDateTime
	KindTime
)

// DateTime is a partial date, date-time or time. Fields beyond Prec are zero.
// TZ is the offset in minutes when HasTZ.
type DateTime struct {
	Kind                     TemporalKind
	Prec                     Precision
	Year, Month, Day         int
	Hour, Minute, Second, Ms int
	HasTZ                    bool
	TZ                       int
}

// ParseDate reads a FHIR date/dateTime/instant or FHIRPath date literal (without '@').
// A "T" with nothing after marks a dateTime of date precision (@2015T).
func ParseDate(s string) (DateTime, bool) {
	if strings.HasPrefix(s, "T") {
		t, ok := parseTime(s[1:], DateTime{Kind: KindTime})
		return t, ok && !t.HasTZ
	}
	d := DateTime{Kind: KindDate}
	if len(s) < 4 || !digits(s, 0, 4) {
		return d, false
	}
	d.Year, d.Prec = atoi(s[:4]), PrecYear
	rest := s[4:]
	if len(rest) >= 3 && rest[0] == '-' && digits(rest, 1, 2) {
		d.Month, d.Prec, rest = atoi(rest[1:3]), PrecMonth, rest[3:]
		if len(rest) >= 3 && rest[0] == '-' && digits(rest, 1, 2) {
			d.Day, d.Prec, rest = atoi(rest[1:3]), PrecDay, rest[3:]
		}
	}
	if rest == "" {
		return d, d.valid()
	}
	if rest[0] != 'T' {
		return d, false
	}
	d.Kind = KindDateTime
	if rest == "T" {
		return d, d.valid()
	}
	return parseTime(rest[1:], d)
}

func parseTime(s string, d DateTime) (DateTime, bool) {
	if !digits(s, 0, 2) {
		return d, false
	}
	d.Hour, d.Prec = atoi(s[:2]), PrecHour
	s = s[2:]
	if len(s) >= 3 && s[0] == ':' && digits(s, 1, 2) {
		d.Minute, d.Prec, s = atoi(s[1:3]), PrecMinute, s[3:]
		if len(s) >= 3 && s[0] == ':' && digits(s, 1, 2) {
			d.Second, d.Prec, s = atoi(s[1:3]), PrecSecond, s[3:]
			if len(s) >= 2 && s[0] == '.' && isDigit(s[1]) {
				j := 1
				for j < len(s) && isDigit(s[j]) {
					j++
				}
				frac := (s[1:j] + "00")[:3]
				d.Ms, d.Prec, s = atoi(frac), PrecMilli, s[j:]
			}
		}
	}
	switch {
	case s == "":
	case s == "Z":
		d.HasTZ = true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && digits(s, 1, 2) && s[3] == ':' && digits(s, 4, 2):
		d.HasTZ = true
		d.TZ = atoi(s[1:3])*60 + atoi(s[4:6])
		if s[0] == '-' {
			d.TZ = -d.TZ
		}
	default:
		return d, false
	}
	return d, d.valid()
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (d DateTime) valid() bool {
	if d.Kind != KindTime {
		if d.Prec >= PrecMonth && (d.Month < 1 || d.Month > 12) {
			return false
		}
		if d.Prec >= PrecDay && (d.Day < 1 || d.Day > daysIn(d.Year, d.Month)) {
			return false
		}
	}
	return d.Hour < 24 && d.Minute < 60 && d.Second < 60
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String writes the value as FHIR does (without '@'); a dateTime of date
// precision keeps its "T" so that it reads back as a dateTime.
func (d DateTime) String() string {
	var b strings.Builder
	if d.Kind != KindTime {
		fmt.Fprintf(&b, "%04d", d.Year)
		if d.Prec >= PrecMonth {
			fmt.Fprintf(&b, "-%02d", d.Month)
		}
		if d.Prec >= PrecDay {
			fmt.Fprintf(&b, "-%02d", d.Day)
		}
		if d.Kind == KindDate {
			return b.String()
		}
		b.WriteByte('T')
		if d.Prec < PrecHour {
			return b.String()
		}
	}
	fmt.Fprintf(&b, "%02d", d.Hour)
	if d.Prec >= PrecMinute {
		fmt.Fprintf(&b, ":%02d", d.Minute)
	}
	if d.Prec >= PrecSecond {
		fmt.Fprintf(&b, ":%02d", d.Second)
	}
	if d.Prec >= PrecMilli {
		fmt.Fprintf(&b, ".%03d", d.Ms)
	}
	if d.HasTZ && d.Kind == KindDateTime {
		if d.TZ == 0 {
			b.WriteByte('Z')
		} else {
			sign, tz := '+', d.TZ
			if tz < 0 {
				sign, tz = '-', -tz
			}
			fmt.Fprintf(&b, "%c%02d:%02d", sign, tz/60, tz%60)
		}
	}
	return b.String()
}

// time converts to a time.Time (missing parts at their minimum), in the value's
// offset or in loc when it has none.
func (d DateTime) time(loc *time.Location) time.Time {
	if d.HasTZ {
		loc = time.FixedZone("", d.TZ*60)
	}
	y, m, day := d.Year, d.Month, d.Day
	if d.Kind == KindTime {
		y, m, day = 1970, 1, 1
	}
	m, day = max(m, 1), max(day, 1)
	return time.Date(y, time.Month(m), day, d.Hour, d.Minute, d.Second, d.Ms*1e6, loc)
}

// fromTime builds a value of the given kind and precision from t, keeping t's offset.
func fromTime(t time.Time, kind TemporalKind, prec Precision, tz bool) DateTime {
	d := DateTime{Kind: kind, Prec: prec, Year: t.Year(), Month: int(t.Month()), Day: t.Day(),
		Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Ms: t.Nanosecond() / 1e6}
	if kind == KindDateTime && tz && prec >= PrecHour {
		_, off := t.Zone()
		d.HasTZ, d.TZ = true, off/60
	}
	return d.truncate()
}

// truncate zeroes the fields beyond the precision.
func (d DateTime) truncate() DateTime {
	if d.Prec < PrecMilli {
		d.Ms = 0
	}
	if d.Prec < PrecSecond {
		d.Second = 0
	}
	if d.Prec < PrecMinute {
		d.Minute = 0
	}
	if d.Prec < PrecHour {
		d.Hour = 0
	}
	if d.Kind != KindTime {
		if d.Prec < PrecDay {
			d.Day = 0
		}
		if d.Prec < PrecMonth {
			d.Month = 0
		}
	}
	return d
}

// fields lists the components in precision order, seconds and milliseconds
// counted as one (N1 §Comparison: "seconds and milliseconds are one precision").
func (d DateTime) fields() []int {
	if d.Kind == KindTime {
		return []int{d.Hour, d.Minute, d.Second*1000 + d.Ms}
	}
	return []int{d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second*1000 + d.Ms}
}

// level is the number of comparable fields the precision covers.
func (d DateTime) level() int {
	p := d.Prec
	if p == PrecMilli {
		p = PrecSecond
	}
	if d.Kind == KindTime {
		return int(p - PrecHour + 1)
	}
	return int(p)
}

// compareDT compares two temporal values: ok=false when the answer is unknown
// because the precisions differ and the common part is equal (N1 §Comparison).
func compareDT(a, b DateTime) (int, bool) {
	if a.Kind != KindTime && a.Prec >= PrecHour && b.Prec >= PrecHour {
		if a.HasTZ != b.HasTZ {
			return 0, false // one offset unknown: the instants cannot be ordered
		}
		if a.HasTZ {
			a, b = toUTC(a), toUTC(b)
		}
	}
	fa, fb := a.fields(), b.fields()
	la, lb := a.level(), b.level()
	n := min(la, lb)
	for i := 0; i < n; i++ {
		if fa[i] != fb[i] {
			if fa[i] < fb[i] {
				return -1, true
			}
			return 1, true
		}
	}
	if la != lb {
		return 0, false
	}
	return 0, true
}

// toUTC shifts a dateTime with hours to UTC; values without an offset are taken
// as UTC (the engine has no notion of the evaluating machine's zone).
func toUTC(d DateTime) DateTime {
	if !d.HasTZ || d.TZ == 0 {
		d.HasTZ, d.TZ = true, 0
		return d
	}
	t := d.time(time.UTC).UTC()
	r := fromTime(t, d.Kind, d.Prec, false)
	r.HasTZ, r.TZ = true, 0
	return r
}
