package postgres

import (
	"strconv"
	"time"
)

// dialect is what the search translator (search.go) needs to know about the
// database it writes SQL for.
type dialect struct {
	placeholder func(n int) string  // the n-th parameter, 1-based
	notDeleted  string              // predicate: r's current version is not a tombstone
	timeArg     func(time.Time) any // how an instant is passed (resource.last_updated)
	// noIndex prefixes r.type and r.rid when an index clause should drive the
	// query; PostgreSQL plans from statistics and needs no hint
	noIndex string
}

// pgDialect: numbered parameters, boolean columns, timestamptz instants.
var pgDialect = dialect{
	placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	notDeleted:  "NOT r.deleted",
	noIndex:     "",
	timeArg:     func(t time.Time) any { return t.UTC() },
}
