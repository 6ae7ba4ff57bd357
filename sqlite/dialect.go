package sqlite

import "time"

// dialect is what the search translator (search.go) needs to know about the
// database it writes SQL for.
type dialect struct {
	placeholder func(n int) string  // the n-th parameter, 1-based
	notDeleted  string              // predicate: r's current version is not a tombstone
	timeArg     func(time.Time) any // how an instant is passed (resource.last_updated)
	// noIndex prefixes r.type and r.rid when an index clause should drive the
	// query: SQLite's planner, without statistics, would otherwise walk every
	// resource of the type in rid order and probe each (sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_)
	noIndex string
}

// sqliteDialect: "?" parameters, integer booleans, instants as Unix microseconds;

var sqliteDialect = dialect{
	placeholder: func(int) string { return "?" },
	notDeleted:  "r.deleted = 0",
	noIndex:     "+",
	timeArg:     func(t time.Time) any { return micros(t) },
}
