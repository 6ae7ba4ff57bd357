// Package repo holds the FHIR R4 interactions without HTTP: create, read, vread,
// update, patch, delete (plain and conditional), history, search, and batch and
// transaction Bundles (FHIR R4 http.html). It turns requests into dsn.Store calls:
// every write goes Decode → Validate → id and meta → index extraction → Tx.Put.
package repo

import (
	"context"
	"net/url"

	"dsn"
	"dsn/fhir"
)

// Options configures a Service. Store is required; the other fields have defaults.
type Options struct {
	Store dsn.Store
	Clock dsn.Clock    // default dsn.SystemClock
	IDs   dsn.IDSource // default dsn.TimeOrderedIDs
	// Validate checks a decoded resource (default fhir.Validate): KindInvalid with
	// Issues whose Expression points at the faulty element.
	Validate func(fhir.Object) error
	// Extract computes the index rows and the patient key (default search.Extract).
	Extract func(fhir.Object) (dsn.Index, string, error)
	// ParseSearch turns URL parameters into a query (default search.Parse).
	ParseSearch func(typ string, params url.Values, strict bool) (dsn.SearchQuery, []dsn.Issue, error)
	// IsResourceType tells whether DSN stores that type (default fhir.IsResourceType).
	IsResourceType func(string) bool
	// MaxBundleEntries caps the entries of a batch or transaction (default 10,000).
	MaxBundleEntries int
	// BatchWorkers is how many batch entries run at once (default 8), so that the
	// store's group commit can share one fsync between them.
	BatchWorkers int
	// OnCommit, if set, is called after every successful Store.Write with the
	// versions it stored (tombstones included, Deleted set), from the writer's
	// goroutine, in commit order per caller only: it must be quick and
	// safe for concurrent use. The MPI's live index uses it.
	OnCommit func([]dsn.Resource)
	// Managed, if set, removes in place what the server itself maintains in
	// a resource (the MPI's links: mpi/provincial.StripManaged), so that
	// Import finds a resource unchanged when only those parts differ from
	// the imported copy.
	Managed func(fhir.Object)
}

// Service runs the FHIR interactions over a dsn.Store. Safe for concurrent use.
type Service struct {
	store    dsn.Store
	clock    dsn.Clock
	ids      dsn.IDSource
	validate func(fhir.Object) error
	extract  func(fhir.Object) (dsn.Index, string, error)
	parse    func(string, url.Values, bool) (dsn.SearchQuery, []dsn.Issue, error)
	isType   func(string) bool
	maxEntry int
	workers  int
	managed  func(fhir.Object)
}

// New makes a Service from o, filling defaults.
func New(o Options) *Service {
	s := &Service{store: o.Store, clock: o.Clock, ids: o.IDs, validate: o.Validate,
		extract: o.Extract, parse: o.ParseSearch, isType: o.IsResourceType,
		maxEntry: o.MaxBundleEntries, workers: o.BatchWorkers, managed: o.Managed}
	if o.OnCommit != nil {
		s.store = &hookStore{Store: o.Store, onCommit: o.OnCommit}
	}
	if s.clock == nil {
		s.clock = dsn.SystemClock{}
	}
	if s.ids == nil {
		s.ids = dsn.TimeOrderedIDs{}
	}
	if s.validate == nil {
		s.validate = defaultValidate
	}
	if s.extract == nil {
		s.extract = defaultExtract
	}
	if s.parse == nil {
		s.parse = defaultParse
	}
	if s.isType == nil {
		s.isType = defaultIsType
	}
	if s.maxEntry <= 0 {
		s.maxEntry = 10000
	}
	if s.workers <= 0 {
		s.workers = 8
	}
	return s
}

// Outcome is what a write interaction did.
type Outcome struct {
	// Resource is the version written; for a conditional create that matched, the
	// existing resource; for a delete, the tombstone (zero if nothing was deleted).
	Resource dsn.Resource
	Created  bool // a new resource came into being (HTTP 201)
	Noop     bool // nothing was written (conditional create matched; delete of nothing)
}

// checkType refuses a resource type DSN does not know (404: no such endpoint).
func (s *Service) checkType(op, typ string) error {
	if !s.isType(typ) {
		return fail(op, dsn.KindNotFound, "type.unknown", typ)
	}
	return nil
}

// checkID refuses a malformed logical id.
func checkID(op, id string) error {
	if !fhir.ValidID(id) {
		return invalidIn(op, "", "id.invalid", id)
	}
	return nil
}

// invalidf builds a KindInvalid error with one issue at expr.
func invalidf(op, expr, format string, args ...any) *dsn.Error {
	e := dsn.Errorf(op, dsn.KindInvalid, format, args...)
	e.Issues = []dsn.Issue{{Severity: "error", Code: "invalid", Diagnostics: e.Msg, Expression: expr}}
	return e
}

// reader is what the read side needs; dsn.Tx has it, and storeReader adapts a Store.
type reader interface {
	Read(typ, id string) (dsn.Resource, error)
	Search(q dsn.SearchQuery) (dsn.SearchResult, error)
}

var _ reader = storeReader{}

// storeReader reads committed state, outside any write transaction.
type storeReader struct {
	ctx context.Context
	st  dsn.Store
}

func (r storeReader) Read(typ, id string) (dsn.Resource, error) { return r.st.Read(r.ctx, typ, id) }
func (r storeReader) Search(q dsn.SearchQuery) (dsn.SearchResult, error) {
	return r.st.Search(r.ctx, q)
}
