package repo

import (
	"net/url"
	"strings"

	"dsn"
)

// parseCriteria parses the query of a conditional operation ("identifier=x|y").
// Some clients send If-None-Exist as "Patient?identifier=x|y": the part before
// "?" is then dropped.
func parseCriteria(op, query string) (url.Values, error) {
	if i := strings.IndexByte(query, '?'); i >= 0 && !strings.ContainsAny(query[:i], "=&") {
		query = query[i+1:]
	}
	crit, err := url.ParseQuery(query)
	if err != nil {
		return nil, invalidIn(op, "", "cond.unreadable", err)
	}
	return crit, nil
}

// matchOne finds the resource of typ that crit selects (http.html#ccreate,
// #cond-update, #cdelete): nil if none, KindPrecondition (412) if several.
// Criteria are parsed strictly: an ignored parameter would widen the match.
func (s *Service) matchOne(r reader, op, typ string, crit url.Values) (*dsn.Resource, error) {
	if len(crit) == 0 {
		return nil, invalidIn(op, "", "cond.criteria")
	}
	q, _, err := s.parse(typ, crit, true)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	q.Type, q.Count, q.Cursor, q.Total = typ, 2, "", false
	res, err := r.Search(q)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	switch {
	case len(res.Matches) == 0:
		return nil, nil
	case len(res.Matches) > 1 || res.Next != "":
		return nil, fail(op, dsn.KindPrecondition, "cond.multiple", crit.Encode(), typ)
	}
	return &res.Matches[0], nil
}
