package repo

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"dsn"
	"dsn/fhir"
)

// Everything runs Patient/[id]/$everything (operation-patient-everything.html):
// a searchset Bundle with the Patient first, then every resource of its
// compartment in the store's order, then (search.mode "include") the
// resources they reference that live outside any patient compartment
// (Practitioner, Organization, Location, Medication...), each once per page.
// params: _since (an instant: only resources updated since), _type (types
// to return, comma-separated or repeated), _count and the _cursor of the next
// link. start and end are not supported and reported as a warning.
func (s *Service) Everything(ctx context.Context, base, id string, params url.Values) (fhir.Object, error) {
	const op = "repo.Everything"
	if err := s.checkPatient(ctx, op, id); err != nil {
		return nil, err
	}
	q, issues, err := s.everythingQuery(op, id, params)
	if err != nil {
		return nil, err
	}
	res, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindOf(err), err)
	}
	res.Matches = patientFirst(res.Matches, id, q.Cursor == "")
	refs := s.referenced(storeReader{ctx, s.store}, res.Matches, q.Types)
	path := base + "/Patient/" + id + "/$everything"
	return searchBundle(base, path, params, res, refs, issues, inEnglish(ctx)), nil
}

// everythingQuery reads the parameters of $everything into a compartment query.
func (s *Service) everythingQuery(op, id string, params url.Values) (dsn.SearchQuery, []dsn.Issue, error) {
	q := dsn.SearchQuery{PatientKey: id, Total: true, Cursor: params.Get("_cursor")}
	var issues []dsn.Issue
	for _, v := range params["_type"] {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); !s.isType(t) || !InPatientCompartment(t) && !referencedType(t) {
				return q, nil, invalidIn(op, "", "everything.type", t)
			}
			q.Types = append(q.Types, t)
		}
	}
	if v := params.Get("_since"); v != "" {
		since, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return q, nil, invalidIn(op, "", "everything.since", v)
		}
		q.Clauses = append(q.Clauses, dsn.Clause{Param: "_lastUpdated", Type: dsn.ParamDate,
			Values: []dsn.Value{{Prefix: "ge", Low: since, High: since}}})
	}
	if v := params.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, nil, invalidIn(op, "", "everything.count", v)
		}
		q.Count = min(n, 1000)
	}
	for _, p := range []string{"start", "end"} {
		if params.Has(p) {
			issues = append(issues, warning("everything.ignored", p))
		}
	}
	return q, issues, nil
}

// patientFirst moves the Patient to the front of the first page and drops it
// from later ones (it is in its own compartment, at its rid's place).
func patientFirst(ms []dsn.Resource, id string, first bool) []dsn.Resource {
	i := slices.IndexFunc(ms, func(r dsn.Resource) bool { return r.Type == "Patient" && r.ID == id })
	if i < 0 {
		return ms
	}
	p := ms[i]
	ms = slices.Delete(ms, i, i+1)
	if first {
		ms = slices.Insert(ms, 0, p)
	}
	return ms
}

// referencedType: a type that belongs to no patient compartment, so that
// $everything brings it along when the compartment references it.
func referencedType(t string) bool { return !InPatientCompartment(t) }

// referenced reads, once each, the resources the page references that are
// outside the patient compartment (restricted to types when given).
func (s *Service) referenced(r reader, ms []dsn.Resource, types []string) []dsn.Resource {
	seen := map[string]bool{}
	var out []dsn.Resource
	for _, m := range ms {
		eachReference(m.Body, func(ref string) {
			typ, id, ok := strings.Cut(ref, "/")
			if !ok || seen[ref] || strings.Contains(id, "/") || !s.isType(typ) || !referencedType(typ) ||
				len(types) > 0 && !slices.Contains(types, typ) || len(out) >= maxIncluded {
				return
			}
			seen[ref] = true
			if res, err := r.Read(typ, id); err == nil {
				out = append(out, res)
			}
		})
	}
	return out
}

// refKey is the key of every Reference.reference (references.html#Reference).
// Inside a JSON string a quote is always escaped, so this byte sequence can
// only be a key; scanning the stored body for it costs a fraction of decoding
// the resource. Whitespace around the colon is allowed (PostgreSQL's jsonb
// writes one space).
var refKey = []byte(`"reference"`)

// eachReference calls fn with every relative reference ("Type/id") of the
// stored body: not absolute URLs, urn: or contained (#) references.
func eachReference(body []byte, fn func(string)) {
	for {
		i := bytes.Index(body, refKey)
		if i < 0 {
			return
		}
		body = bytes.TrimLeft(body[i+len(refKey):], " \t\r\n")
		if len(body) == 0 || body[0] != ':' {
			continue
		}
		body = bytes.TrimLeft(body[1:], " \t\r\n")
		if len(body) == 0 || body[0] != '"' {
			continue
		}
		body = body[1:]
		end := bytes.IndexByte(body, '"')
		if end < 0 {
			return
		}
		v := body[:end]
		body = body[end:]
		if len(v) > 0 && v[0] != '#' && bytes.IndexAny(v, `:\`) < 0 {
			fn(string(v))
		}
	}
}
