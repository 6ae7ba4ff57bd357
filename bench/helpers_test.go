package bench

import "dsn"

func errIssues(err error) []dsn.Issue { return dsn.IssuesOf(err) }
