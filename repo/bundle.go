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
		return "", nil, invalidf(op, "resourceType", "un Bundle est attendu, pas %q", rt)
	}
	btype, _ := obj["type"].(string)
	if btype != "batch" && btype != "transaction" {
		return "", nil, invalidf(op, "Bundle.type", "seuls les Bundle batch et transaction sont traités ici, pas %q", btype)
	}
	raw, _ := obj["entry"].([]any)
	if _, ok := obj["entry"]; ok && raw == nil {
		return "", nil, invalidf(op, "Bundle.entry", "Bundle.entry doit être un tableau")
	}
	if len(raw) > s.maxEntry {
		return "", nil, &dsn.Error{Op: op, Kind: dsn.KindTooLarge, Msg: fmt.Sprintf("trop d'entrées: %d (maximum %d)", len(raw), s.maxEntry)}
	}
	entries := make([]*entry, len(raw))
	for i, r := range raw {
		e := &entry{i: i}
		if m, ok := r.(map[string]any); ok {
			e.parseErr = s.parseEntry(e, m)
		} else {
			e.parseErr = entryErr(i, "l'entrée doit être un objet")
		}
		entries[i] = e
	}
	return btype, entries, nil
}

func entryErr(i int, format string, args ...any) error {
	return invalidf("repo.Bundle", fmt.Sprintf("Bundle.entry[%d]", i), format, args...)
}

// parseEntry fills e from the JSON of one entry.
func (s *Service) parseEntry(e *entry, m map[string]any) error {
	e.fullURL, _ = m["fullUrl"].(string)
	req, _ := m["request"].(map[string]any)
	if req == nil {
		return entryErr(e.i, "entry.request est obligatoire dans un batch ou une transaction")
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
			return entryErr(e.i, "ifMatch illisible: %q", v)
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
			return entryErr(e.i, "%s exige entry.resource", e.method)
		}
		e.orig = res
	case "PATCH":
		ops, err := binaryPatch(res)
		if err != nil {
			return entryErr(e.i, "%v", err)
		}
		e.patch = ops
	}
	return nil
}

// binaryPatch reads the JSON Patch a PATCH entry carries in a Binary resource
// (http.html#patch: in Bundles the patch is a Binary).
func binaryPatch(res map[string]any) ([]patchOp, error) {
	if fhir.ResourceType(res) != "Binary" {
		return nil, fmt.Errorf("PATCH attend une ressource Binary contenant un JSON Patch")
	}
	ct, _ := res["contentType"].(string)
	if !strings.HasPrefix(ct, "application/json-patch+json") {
		return nil, fmt.Errorf("seul le JSON Patch (application/json-patch+json) est pris en charge, pas %q", ct)
	}
	data, _ := res["data"].(string)
	doc, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("Binary.data n'est pas du base64: %v", err)
	}
	return parsePatch(doc)
}

// parseRequestURL reads request.url (relative to the base; an absolute URL is
// accepted and its base dropped) into the target of the entry.
func (s *Service) parseRequestURL(e *entry) error {
	raw := e.url
	if i := strings.Index(raw, "://"); i >= 0 {
		u, err := url.Parse(raw)
		if err != nil {
			return entryErr(e.i, "request.url illisible: %q", raw)
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
		return entryErr(e.i, "request.url: requête illisible: %v", err)
	}
	e.query = q
	segs := strings.Split(path, "/")
	if segs[0] == "" || !s.isType(segs[0]) {
		return &dsn.Error{Op: "repo.Bundle", Kind: dsn.KindNotFound, Msg: fmt.Sprintf("entrée %d: type de ressource inconnu dans %q", e.i, e.url)}
	}
	e.typ = segs[0]
	return e.parseTarget(segs[1:], query != "")
}

// parseTarget checks which URL shapes each method accepts (http.html#summary).
func (e *entry) parseTarget(rest []string, hasQuery bool) error {
	bad := entryErr(e.i, "request.url %q ne convient pas à %s", e.url, e.method)
	switch e.method {
	case "POST":
		if len(rest) != 0 {
			return bad
		}
	case "PUT", "PATCH", "DELETE":
		if len(rest) == 1 && !hasQuery {
			e.id = rest[0]
			return checkID("repo.Bundle", e.id)
		}
		if len(rest) != 0 || !hasQuery {
			return bad
		}
	case "GET", "HEAD":
		return e.parseGet(rest)
	default:
		return entryErr(e.i, "request.method inconnue: %q", e.method)
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
			return entryErr(e.i, "numéro de version invalide dans %q", e.url)
		}
		e.id, e.version = rest[0], v
	default:
		return entryErr(e.i, "request.url %q non pris en charge", e.url)
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
