package sqlite

import "time"

// dialect is what the search translator (search.go) needs to know about the
// database it writes SQL for.
type dialect struct {
	placeholder func(n int) string  // the n-th parameter, 1-based
	notDeleted  string              // predicate: r's current version is not a tombstone
	ilike       string              // case-insensitive LIKE operator
	timeArg     func(time.Time) any // how an instant is passed (resource.last_updated)
}

// sqliteDialect: "?" parameters, integer booleans, instants as Unix microseconds;
// SQLite's LIKE already ignores ASCII case.
var sqliteDialect = dialect{
	placeholder: func(int) string { return "?" },
	notDeleted:  "r.deleted = 0",
	ilike:       "LIKE",
	timeArg:     func(t time.Time) any { return micros(t) },
}
