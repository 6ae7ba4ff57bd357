package repo

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"dsn"
	"dsn/fhir"
)

// entry is one entry of a batch or transaction Bundle, parsed (bundle.html#request).
type entry struct {
	i        int
	fullURL  string
	method   string // GET HEAD POST PUT PATCH DELETE
	url      string // request.url as sent
	typ, id  string // target; id "" for a create, a search or an unresolved conditional
	urlID    string // the id in request.url, if any
	version  int64  // GET …/_history/n
	history  bool   // GET …/_history
	query    url.Values
	ifMatch  int64
	ifNone   url.Values  // ifNoneExist criteria (nil if none)
	orig     fhir.Object // the resource as sent (POST, PUT)
	patch    []patchOp   // PATCH (a Binary holding a JSON Patch)
	parseErr error       // batch: an entry that cannot be parsed answers alone
	english  bool        // a search entry's warnings in English (InEnglish on the request)

	// Set while processing; reset on each run of the Store.Write fn.
	resource fhir.Object
	matched  *dsn.Resource // conditional create found this one
	prep     *prepared     // POST, PUT: validated and indexed before the Store.Write (transaction.go, preplan)
	out      Outcome
	get      any // GET: the resource body (json.RawMessage) or a Bundle
	err      error
}

// rank is the processing order of a transaction (http.html#trules):
// DELETE, then POST, then PUT and PATCH, then GET and HEAD.
func (e *entry) rank() int {
	switch e.method {
	case "DELETE":
		return 0
	case "POST":
		return 1
	case "PUT", "PATCH":
		return 2
	}
	return 3
}

// parseBundle reads a batch or transaction Bundle. A malformed Bundle is an
// error; a malformed entry is recorded in its parseErr.
func (s *Service) parseBundle(op string, body []byte) (string, []*entry, error) {
	obj, err := fhir.Decode(body)
	if err != nil {
		return "", nil, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	if rt := fhir.ResourceType(obj); rt != "Bundle" {
		return "", nil, invalidIn(op, "resourceType", "bundle.type", rt)
	}
	btype, _ := obj["type"].(string)
	if btype != "batch" && btype != "transaction" {
		return "", nil, invalidIn(op, "Bundle.type", "bundle.kind", btype)
	}
	raw, _ := obj["entry"].([]any)
	if _, ok := obj["entry"]; ok && raw == nil {
		return "", nil, invalidIn(op, "Bundle.entry", "bundle.entries")
	}
	if len(raw) > s.maxEntry {
		return "", nil, fail(op, dsn.KindTooLarge, "bundle.too-many", len(raw), s.maxEntry)
	}
	entries := make([]*entry, len(raw))
	for i, r := range raw {
		e := &entry{i: i}
		if m, ok := r.(map[string]any); ok {
			e.parseErr = s.parseEntry(e, m)
		} else {
			e.parseErr = entryErr(i, "entry.object")
		}
		entries[i] = e
	}
	return btype, entries, nil
}

// entryErr is the refusal of entry i, message id (messages.go) with args.
func entryErr(i int, id string, args ...any) error {
	return invalidIn("repo.Bundle", fmt.Sprintf("Bundle.entry[%d]", i), id, args...)
}

// parseEntry fills e from the JSON of one entry.
func (s *Service) parseEntry(e *entry, m map[string]any) error {
	e.fullURL, _ = m["fullUrl"].(string)
	req, _ := m["request"].(map[string]any)
	if req == nil {
		return entryErr(e.i, "entry.request")
	}
	e.method, _ = req["method"].(string)
	e.url, _ = req["url"].(string)
	if err := s.parseRequestURL(e); err != nil {
		return err
	}
	e.urlID = e.id
	if v, _ := req["ifMatch"].(string); v != "" {
		n, err := ParseETag(v)
		if err != nil {
			return entryErr(e.i, "entry.if-match", v)
		}
		e.ifMatch = n
	}
	if v, _ := req["ifNoneExist"].(string); v != "" {
		crit, err := parseCriteria("repo.Bundle", v)
		if err != nil {
			return err
		}
		e.ifNone = crit
	}
	res, _ := m["resource"].(map[string]any)
	switch e.method {
	case "POST", "PUT":
		if res == nil {
			return entryErr(e.i, "entry.resource", e.method)
		}
		e.orig = res
	case "PATCH":
		ops, err := binaryPatch(e.i, res)
		if err != nil {
			return err
		}
		e.patch = ops
	}
	return nil
}

// binaryPatch reads the JSON Patch a PATCH entry carries in a Binary resource
// (http.html#patch: in Bundles the patch is a Binary).
// The errors are entry i's, and the JSON Patch's own (jsonpatch.go), in both languages.
func binaryPatch(i int, res map[string]any) ([]patchOp, error) {
	if fhir.ResourceType(res) != "Binary" {
		return nil, entryErr(i, "entry.patch-binary")
	}
	ct, _ := res["contentType"].(string)
	if !strings.HasPrefix(ct, "application/json-patch+json") {
		return nil, entryErr(i, "entry.patch-type", ct)
	}
	data, _ := res["data"].(string)
	doc, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, entryErr(i, "entry.patch-base64", err)
	}
	ops, err := parsePatch(doc)
	if err != nil {
		return nil, patchInvalid("repo.Bundle", fmt.Sprintf("Bundle.entry[%d]", i), err)
	}
	return ops, nil
}

// parseRequestURL reads request.url (relative to the base; an absolute URL is
// accepted and its base dropped) into the target of the entry.
func (s *Service) parseRequestURL(e *entry) error {
	raw := e.url
	if i := strings.Index(raw, "://"); i >= 0 {
		u, err := url.Parse(raw)
		if err != nil {
			return entryErr(e.i, "entry.url", raw)
		}
		raw = u.Path
		if u.RawQuery != "" {
			raw += "?" + u.RawQuery
		}
		segs := strings.Split(strings.Trim(raw, "/"), "/")
		for j, sg := range segs {
			if s.isType(sg) {
				raw = strings.Join(segs[j:], "/")
				break
			}
		}
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(raw, "/"), "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return entryErr(e.i, "entry.query", err)
	}
	e.query = q
	segs := strings.Split(path, "/")
	if segs[0] == "" || !s.isType(segs[0]) {
		return fail("repo.Bundle", dsn.KindNotFound, "entry.type", e.i, e.url)
	}
	e.typ = segs[0]
	return e.parseTarget(segs[1:], query != "")
}

// parseTarget checks which URL shapes each method accepts (http.html#summary).
func (e *entry) parseTarget(rest []string, hasQuery bool) error {
	// built only when refused: every entry of every Bundle passes here
	bad := func() error { return entryErr(e.i, "entry.url-method", e.url, e.method) }
	switch e.method {
	case "POST":
		if len(rest) != 0 {
			return bad()
		}
	case "PUT", "PATCH", "DELETE":
		if len(rest) == 1 && !hasQuery {
			e.id = rest[0]
			return checkID("repo.Bundle", e.id)
		}
		if len(rest) != 0 || !hasQuery {
			return bad()
		}
	case "GET", "HEAD":
		return e.parseGet(rest)
	default:
		return entryErr(e.i, "entry.method", e.method)
	}
	return nil
}

func (e *entry) parseGet(rest []string) error {
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && rest[0] == "_history":
		e.history = true
	case len(rest) == 1:
		e.id = rest[0]
	case len(rest) == 2 && rest[1] == "_history":
		e.id, e.history = rest[0], true
	case len(rest) == 3 && rest[1] == "_history":
		v, err := strconv.ParseInt(rest[2], 10, 64)
		if err != nil || v < 1 {
			return entryErr(e.i, "entry.version", e.url)
		}
		e.id, e.version = rest[0], v
	default:
		return entryErr(e.i, "entry.url-unsupported", e.url)
	}
	return nil
}

// ParseETag reads a version from an ETag or If-Match value: W/"3", "3" or 3.
func ParseETag(v string) (int64, error) {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	v = strings.Trim(v, `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("version invalide %q", v)
	}
	return n, nil
}
