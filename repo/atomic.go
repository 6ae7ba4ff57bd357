package repo

import (
	"context"
	"net/url"

	"dsn"
	"dsn/fhir"
)

// Atomic runs fn inside one Store.Write: the resources fn writes through the
// Tx are validated, indexed and versioned like FHIR updates
// (http.html#update) and commit together or not at all. It is for operations
// that change several resources at once (the MPI's linking, merge and
// unmerge). As with dsn.Store.Write, fn may run more than once: it must start
// from scratch each time and do all its work through the Tx.
func (s *Service) Atomic(ctx context.Context, fn func(*Tx) error) error {
	return s.store.Write(ctx, func(tx dsn.Tx) error { return fn(&Tx{s: s, tx: tx}) })
}

// Tx is the view of the store inside Atomic.
type Tx struct {
	s  *Service
	tx dsn.Tx
}

// Read returns the current version of typ/id (dsn.Tx.Read: KindNotFound,
// KindGone with the tombstone).
func (t *Tx) Read(typ, id string) (dsn.Resource, error) { return t.tx.Read(typ, id) }

// Find returns every current resource of typ matching the search parameters
// (search.html), all pages. Errors: KindInvalid for a parameter the server
// does not support (strict handling).
func (t *Tx) Find(typ string, params url.Values) ([]dsn.Resource, error) {
	q, _, err := t.s.parse(typ, params, true)
	if err != nil {
		return nil, dsn.Wrap("repo.Tx.Find", dsn.KindInvalid, err)
	}
	q.Type, q.Count = typ, 1000
	var out []dsn.Resource
	for {
		page, err := t.tx.Search(q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Matches...)
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// Compartment returns every current resource of the compartment of Patient
// id (compartmentdefinition-patient.html), the Patient itself included.
func (t *Tx) Compartment(id string) ([]dsn.Resource, error) {
	q := dsn.SearchQuery{PatientKey: id, Count: 1000}
	var out []dsn.Resource
	for {
		page, err := t.tx.Search(q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Matches...)
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// NewID returns a fresh logical id from the service's IDSource.
func (t *Tx) NewID() string { return t.s.ids.NewID() }

// Put writes obj as the next version of its resourceType/id, or as a new
// resource when obj has no id (one is assigned) or its id is free. obj is
// validated (KindInvalid) and gets its meta.versionId and meta.lastUpdated.
func (t *Tx) Put(obj fhir.Object) (dsn.Resource, error) {
	const op = "repo.Tx.Put"
	typ, id := fhir.ResourceType(obj), fhir.ID(obj)
	if err := t.s.checkType(op, typ); err != nil {
		return dsn.Resource{}, err
	}
	if id == "" {
		id = t.s.ids.NewID()
	}
	p, err := t.s.prepare(op, typ, id, obj)
	if err != nil {
		return dsn.Resource{}, err
	}
	cur, _, err := current(t.tx, typ, id)
	if err != nil {
		return dsn.Resource{}, err
	}
	method := "PUT"
	if cur.VersionID == 0 {
		method = "POST"
	}
	return t.s.commit(t.tx, op, p, cur, method)
}

// Store is the underlying dsn.Tx, for what is not a resource (dsn.Job).
func (t *Tx) Store() dsn.Tx { return t.tx }

// Parse turns search parameters into a query for typ (strict), for callers
// that page themselves with Store.Search.
func (s *Service) Parse(typ string, params url.Values) (dsn.SearchQuery, error) {
	q, _, err := s.parse(typ, params, true)
	if err != nil {
		return q, dsn.Wrap("repo.Parse", dsn.KindInvalid, err)
	}
	q.Type = typ
	return q, nil
}
