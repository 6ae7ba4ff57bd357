package sqlstore

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Dialect is what the shared SQL code needs to know about the database it
// writes SQL for and reads rows from. The two values below are the only ones.
type Dialect struct {
	placeholder func(n int) string  // the n-th parameter, 1-based
	always      string              // the predicate true (system-level history keys)
	timeArg     func(time.Time) any // how an instant is passed (resource.last_updated)
	// noIndex prefixes r.type and r.rid when an index clause should drive the
	// query: SQLite's planner, without statistics, would otherwise walk every
	// resource of the type in rid order and probe each
	// (sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_).
	// PostgreSQL plans from statistics and needs no hint.
	noIndex string
	// armPerName: a parameter whose rows are stored under several names is
	// probed with one UNION arm per name where its index rows lead (probe).
	armPerName bool
	// intColumns: instants are stored as Unix microseconds and booleans as 0/1
	// (SQLite has neither type); otherwise timestamptz and boolean columns.
	intColumns bool
}

// SQLite: "?" parameters, integer booleans, instants as Unix microseconds.
var SQLite = Dialect{
	placeholder: func(int) string { return "?" },
	always:      "1",
	noIndex:     "+",
	timeArg:     func(t time.Time) any { return Micros(t) },
	intColumns:  true,
}

// Postgres: numbered parameters, boolean columns, timestamptz instants.
var Postgres = Dialect{
	placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	always:      "true",
	noIndex:     "",
	armPerName:  true,
	timeArg:     func(t time.Time) any { return t.UTC() },
}

// notDeletedOn is the predicate "the current version of the resource alias r
// is not a tombstone".
func (d Dialect) notDeletedOn(r string) string {
	if d.intColumns {
		return r + ".deleted = 0"
	}
	return "NOT " + r + ".deleted"
}

// Placeholder is the n-th parameter (1-based) of a query in this dialect.
func (d Dialect) Placeholder(n int) string { return d.placeholder(n) }

// TimeArg is how an instant is passed as a parameter in this dialect.
func (d Dialect) TimeArg(t time.Time) any { return d.timeArg(t) }

// Micros stores an instant as Unix microseconds, the precision of
// dsn.Resource.LastUpdated (SQLite's last_updated columns).
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros reads an instant stored by Micros, in UTC.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// RangeLow and RangeHigh store a date range bound as Unix microseconds (both
// dialects' idx_date columns); a zero time is an open end.
func RangeLow(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixMicro()
}

// RangeHigh: see RangeLow.
func RangeHigh(t time.Time) int64 {
	if t.IsZero() {
		return math.MaxInt64
	}
	return t.UnixMicro()
}

// inArray is "col is one of the array parameter ph" (arrayArg makes it):
// SQLite reads a JSON array with json_each, PostgreSQL a text[].
func (d Dialect) inArray(col, ph string) string {
	if d.intColumns {
		return col + " IN (SELECT value FROM json_each(" + ph + "))"
	}
	return col + " = ANY(" + ph + "::text[])"
}

// arrayArg passes a list of strings as one parameter (see inArray).
func (d Dialect) arrayArg(vals []string) any {
	if d.intColumns {
		b, _ := json.Marshal(vals)
		return string(b)
	}
	return vals
}
