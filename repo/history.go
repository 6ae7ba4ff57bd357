package repo

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"dsn"
	"dsn/fhir"
)

// History lists versions newest first (http.html#history) as a history Bundle:
// typ and id select the level (both "" → system). params may hold _since (an
// instant), _count and _cursor (the opaque position of a next link). base is the
// absolute FHIR base URL used in fullUrl and links.
func (s *Service) History(ctx context.Context, base, typ, id string, params url.Values) (fhir.Object, error) {
	const op = "repo.History"
	q := dsn.HistoryQuery{Type: typ, ID: id, Cursor: params.Get("_cursor")}
	if typ != "" {
		if err := s.checkType(op, typ); err != nil {
			return nil, err
		}
	}
	if v := params.Get("_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, invalidIn(op, "", "history.since", v)
		}
		q.Since = t.UTC()
	}
	n, err := countParam(op, params)
	if err != nil {
		return nil, err
	}
	q.Count = n
	page, err := s.store.History(ctx, q)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	path := base
	if typ != "" {
		path += "/" + typ
	}
	if id != "" {
		path += "/" + id
	}
	path += "/_history"
	b := newBundle("history", page.Total)
	links(b, path, params, page.Next)
	entries := make([]any, 0, len(page.Entries))
	for _, r := range page.Entries {
		entries = append(entries, historyEntry(base, r))
	}
	b["entry"] = entries
	return b, nil
}

// countParam reads _count (search.html#count); 0 when absent.
func countParam(op string, params url.Values) (int, error) {
	v := params.Get("_count")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidIn(op, "", "history.count", v)
	}
	if n > 1000 {
		n = 1000
	}
	return n, nil
}

// historyEntry is one version in a history Bundle (bundle.html#history): the
// request that made it and, unless it is a deletion, the resource.
func historyEntry(base string, r dsn.Resource) map[string]any {
	e := map[string]any{"fullUrl": base + "/" + r.Type + "/" + r.ID}
	if !r.Deleted {
		e["resource"] = rawJSON(r.Body)
	}
	reqURL, status := r.Type+"/"+r.ID, "200 OK"
	switch r.Method {
	case "POST":
		reqURL, status = r.Type, "201 Created"
	case "DELETE":
		status = "204 No Content"
	}
	if r.Method == "PUT" && r.VersionID == 1 {
		status = "201 Created"
	}
	method := r.Method
	if method == "" {
		method = "PUT"
	}
	e["request"] = map[string]any{"method": method, "url": reqURL}
	e["response"] = map[string]any{"status": status, "etag": ETag(r.VersionID),
		"lastModified": dsn.FormatInstant(r.LastUpdated)}
	return e
}

// ETag is the weak entity tag of a version (http.html#versioning): W/"3".
func ETag(v int64) string { return `W/"` + strconv.FormatInt(v, 10) + `"` }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
