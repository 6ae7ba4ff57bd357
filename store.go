package dsn

import (
	"context"
	"time"
)

// Resource is one stored version of a FHIR resource.
type Resource struct {
	Type        string
	ID          string
	VersionID   int64     // 1 for the first version, +1 for each later one (deletes included)
	LastUpdated time.Time // UTC, microsecond precision; equals meta.lastUpdated in Body
	Deleted     bool      // a deletion tombstone; Body is nil
	Method      string    // the interaction that made this version: POST, PUT, PATCH or DELETE
	Body        []byte    // FHIR JSON with meta.versionId and meta.lastUpdated already set
	// PatientKey is the id of the Patient whose compartment holds the resource
	// ("" if none). Every patient-compartment row carries it so that the schema can
	// later be distributed by patient (DESIGN.md §3); stores return it on every
	// read so that the access policy can tell whose record a resource belongs to.
	PatientKey string
}

// Write is one new version to store, with the search-index rows extracted from it.
type Write struct {
	Resource
	// PatientKey is the id of the Patient whose compartment holds the resource
	// ("" if none). Every patient-compartment row carries it so that the schema can
	// later be distributed by patient (DESIGN.md §3). It is what the store keeps
	// (and returns as Resource.PatientKey on reads); Resource.PatientKey of a
	// Write is ignored.
	PatientKey string
	Index      Index
}

// Store is the storage contract that the sqlite and postgres adapters fulfil,
// proven by the storetest suite. All methods are safe for concurrent use.
type Store interface {
	// Read returns the current version of Type/id. Errors: KindNotFound if the id
	// never existed; KindGone if its current version is a deletion (the returned
	// Resource is then that tombstone, so callers can report its version).
	Read(ctx context.Context, typ, id string) (Resource, error)
	// VRead returns one version. Errors: KindNotFound if it does not exist;
	// KindGone with the tombstone if that version is a deletion.
	VRead(ctx context.Context, typ, id string, version int64) (Resource, error)
	// History lists versions newest first (FHIR http.html#history), tombstones included.
	History(ctx context.Context, q HistoryQuery) (HistoryPage, error)
	// Search returns the current, non-deleted resources matching q.
	// Errors: KindInvalid for a clause the store cannot evaluate.
	Search(ctx context.Context, q SearchQuery) (SearchResult, error)
	// Write runs fn inside a write transaction and returns once its effects are
	// durably committed, or fn's error (then none of fn's writes remain). The store
	// may group the fn of several concurrent callers into one database transaction
	// (group commit). If one fn of a batch fails after writing, the store rolls the
	// batch back and runs it again with a savepoint around each fn, so fn MAY BE
	// CALLED MORE THAN ONCE: it must not keep state across calls, must reset any
	// result it builds at the start of each call, and must do all its work through
	// the Tx (no side effects outside it).
	Write(ctx context.Context, fn func(Tx) error) error
	// Jobs returns up to limit queued jobs of kind with Seq > after, oldest
	// first (Tx.AddJob, Job).
	Jobs(ctx context.Context, kind string, after int64, limit int) ([]Job, error)
	// Close releases the database; pending Writes finish first.
	Close() error
}

// Reindexer rebuilds the index rows of resources already stored, without
// writing new versions: after a migration adds index tables (0002), or when
// extraction changes. Both stores implement it (`dsn reindex`).
type Reindexer interface {
	// Reindex calls extract on the current version of every non-deleted
	// resource of typ ("" for every type), in storage order, and replaces its
	// index rows and patient key with the result, one write transaction per
	// batch. progress, if set, is called after each batch with the number of
	// resources reindexed so far. A resource written meanwhile keeps the rows
	// its newer version was written with. Errors: extract's error, naming the
	// resource; KindUnavailable if ctx ends (the batches done remain).
	Reindex(ctx context.Context, typ string, extract func(Resource) (Index, string, error), progress func(n int)) (int, error)
}

// Tx is the view of the store inside Store.Write. It sees its own writes.
type Tx interface {
	// Read is Store.Read within the transaction. It returns the last committed
	// version (or this transaction's own), and no other Write commits a version
	// of typ/id until this transaction ends: a fn that reads a resource and puts
	// its next version never loses a race to another writer of it (storetest
	// SameIDWrites; SQLite by its single writer, PostgreSQL by a lock per
	// resource, decision 0038).
	Read(typ, id string) (Resource, error)
	// Search is Store.Search within the transaction (used by conditional operations).
	Search(q SearchQuery) (SearchResult, error)
	// Put stores w as the new current version of w.Type/w.ID and replaces the index
	// rows. w.VersionID must be the current version + 1 (1 for a new id).
	// Errors: KindConflict if another version w.VersionID already exists.
	Put(w Write) error
	// AddJob queues j (its Seq is assigned by the store) with the
	// transaction's writes: the job exists if and only if they commit.
	AddJob(j Job) error
	// DeleteJobs removes the jobs with these Seqs (done); unknown Seqs are ignored.
	DeleteJobs(seqs []int64) error
}

// Job is durable work to do after a commit, queued in the same transaction as
// the write that needs it, so that a crash between that commit and the work
// cannot lose it: the worker reads pending jobs (Store.Jobs) after each commit
// and again at start, and deletes each one in the transaction that does its
// work (Tx.DeleteJobs). Migration 0003; the MPI links Patients this way.
type Job struct {
	Seq     int64     // queue order, assigned by the store
	Kind    string    // which worker processes it, e.g. "mpi.link"
	Key     string    // what to process, e.g. a Patient id
	Created time.Time // when it was queued (UTC, microseconds)
}

// BulkTx is implemented by the Tx of a store that can write many versions at
// once faster than one Put each (bulk import, bulk/README.md). Callers find it
// with a type assertion and fall back to Put.
type BulkTx interface {
	Tx
	// PutAll stores every w of ws as Put would. ws must not name the same
	// Type/ID twice. Errors: KindConflict if some w.VersionID is not its current
	// version + 1, or an id repeats; rows already written in this call are then
	// left for the transaction's rollback, so the fn must return the error.
	// A store may hold the versions and write them with the other PutAlls
	// of its group commit (SQLite, sqlite/bulkmerge.go): a conflict then
	// shows at the commit, and the store runs the fn again, where PutAll
	// answers for itself (a Write fn may run more than once).
	PutAll(ws []Write) error
}

type bulkImportKey struct{}

// WithBulkImport marks ctx as a bulk import's (repo.CommitImport: `dsn import`,
// $import, the demo load): a store may then give the Write's PutAll more
// memory, such as SQLite's larger writer page cache (sqlite/bulksort.go). A
// transaction Bundle's PutAll never carries the mark, however large, so that
// a serving process does not grow for good (issue 2: under 300 MB RSS).
func WithBulkImport(ctx context.Context) context.Context {
	return context.WithValue(ctx, bulkImportKey{}, true)
}

// IsBulkImport reports whether ctx was marked by WithBulkImport.
func IsBulkImport(ctx context.Context) bool {
	on, _ := ctx.Value(bulkImportKey{}).(bool)
	return on
}

// PutAll stores ws with tx's PutAll when tx is a BulkTx, else one Put each
// (the import, a transaction Bundle's deferred writes, the provincial record's
// golden records share this fallback).
func PutAll(tx Tx, ws []Write) error {
	if len(ws) == 0 {
		return nil
	}
	if b, ok := tx.(BulkTx); ok {
		return b.PutAll(ws)
	}
	for _, w := range ws {
		if err := tx.Put(w); err != nil {
			return err
		}
	}
	return nil
}

// BulkJobsTx is implemented by the Tx of a store that can queue many jobs
// with one statement (the bulk import queues a link job per new Patient).
// Callers find it with a type assertion and fall back to AddJob.
type BulkJobsTx interface {
	Tx
	// AddJobs queues every j of js as AddJob would, in order.
	AddJobs(js []Job) error
}

// HistoryQuery selects versions for the history interactions.
type HistoryQuery struct {
	Type   string    // "" for the whole system
	ID     string    // "" for the whole type (needs Type)
	Since  time.Time // only versions with LastUpdated >= Since (zero: all)
	Count  int       // page size; 0 means the store's default
	Cursor string    // opaque position returned as HistoryPage.Next
}

// HistoryPage is one page of history, newest first.
type HistoryPage struct {
	Entries []Resource
	Next    string // cursor of the next (older) page; "" when this is the last
	Total   int    // number of versions matching, all pages together
}

// SearchQuery is a backend-neutral search: clauses are ANDed, values inside a
// clause are ORed (FHIR search.html#combining). The search package builds it from
// URL parameters; only the store adapters turn it into SQL.
type SearchQuery struct {
	Type    string // resource type; "" searches every type
	Clauses []Clause
	Count   int    // page size; 0 means the store's default
	Cursor  string // opaque position returned as SearchResult.Next
	Total   bool   // compute SearchResult.Total

	// Added for complete search (search.html#sort, #include, #summary,
	// #elements, #total); filled by search.ParseAll. Stores that do not apply
	// one of them yet leave it to the caller (search.Parse still reports them).
	Sort        []SortKey // _sort: keys in order of priority
	Includes    []Include // _include (Include.Iterate for :iterate)
	RevIncludes []Include // _revinclude (Include.Iterate for :iterate)
	TotalMode   string    // _total as given: "", "none", "estimate" or "accurate"
	Summary     string    // _summary: "", "true", "text", "data", "count" or "false"
	Elements    []string  // _elements: element names to keep (search.html#elements)

	// Added for compartment search (http.html#search "Patient/[id]/[type]",
	// operation-patient-everything.html):
	// PatientKey, if set, keeps only resources whose patient key (dsn.Write.PatientKey)
	// is this Patient id: the resources of that patient's compartment, the
	// Patient itself included.
	PatientKey string
	// Types, if Type is "", keeps only resources of these types (none: every type).
	Types []string
}

// SortKey is one key of _sort (search.html#sort): a search parameter of the
// searched type ("_id", "_lastUpdated" included), descending when written "-code".
type SortKey struct {
	Param string
	Desc  bool
	Type  ParamType // the parameter's type (the store reads the rows of that type)
}

// Include is one _include or _revinclude value (search.html#include):
// Source:Param[:Target]. Param "*" means every reference parameter of Source
// (then Target is ""); Iterate is the :iterate modifier (also read from the
// R4 alias :recurse).
type Include struct {
	Source, Param, Target string
	Iterate               bool
}

// ParamType is a FHIR search parameter type (search.html#ptypes).
type ParamType string

const (
	ParamNumber    ParamType = "number"
	ParamDate      ParamType = "date"
	ParamString    ParamType = "string"
	ParamToken     ParamType = "token"
	ParamReference ParamType = "reference"
	ParamQuantity  ParamType = "quantity"
	ParamURI       ParamType = "uri"
	ParamComposite ParamType = "composite"
	ParamSpecial   ParamType = "special"
)

// Clause is one search parameter with its ORed values. Param "_id" and
// "_lastUpdated" are answered from the resource table itself.
type Clause struct {
	Param    string
	Type     ParamType
	Modifier string // "", missing, exact, contains, text, not, above, below, identifier, of-type, ...
	Values   []Value

	// Chain (search.html#chaining), for a reference parameter written
	// "param[:Type].chained=value": the referenced resource must match Chain,
	// whose Type is the target type (from :Type or the single target) and which
	// may itself hold chained clauses (several levels). Values is then empty.
	Chain *SearchQuery
	// Has (search.html#has), for "_has:Type:ref:param=value": Param is "_has",
	// Type ParamSpecial, and the searched resource matches when some resource of
	// Has.Type matching Has references it through its parameter HasRef.
	// Nested _has are clauses of Has. Values is then empty.
	Has    *SearchQuery
	HasRef string
	// Parts, for a composite parameter, is the type of each component in
	// order (search.html#composite): how each part of Value.Components reads.
	Parts []ParamType
}

// Value is one value of a Clause; which fields count depends on the Clause type.
type Value struct {
	Prefix    string    // eq ne gt lt ge le sa eb ap (number, date, quantity); "" = eq
	System    string    // token, quantity: the system
	AnySystem bool      // token: no "|" was given, so any system matches
	Code      string    // token code, quantity unit code
	Text      string    // string, uri, token :text; "true"/"false" for :missing
	Low, High time.Time // date: the range the value's precision implies, inclusive-exclusive
	Number    float64   // number, quantity
	RefType   string    // reference: target type ("" if unknown)
	RefID     string    // reference: target id

	// Added for complete search:
	// NumLow and NumHigh are the range [NumLow, NumHigh) implied by the
	// precision of a number or quantity value (search.html#number: "100" is
	// [99.5, 100.5), "100.00" [99.995, 100.005), "1e2" [50, 150)).
	NumLow, NumHigh float64
	// Components are the parts of a composite value ("code$value",
	// search.html#composite), one per component of the SearchParameter, in
	// order, each read by its component's type (Value.Param of each is not
	// set: the order says which component it is).
	Components []Value
	// Modifier-specific readings (the Clause.Modifier says which):
	//  :of-type     System|Code is the Identifier.type coding, Text the Identifier.value
	//  :identifier  System|Code is the Identifier (system|value) of the reference
	//  :in :not-in  Text is the ValueSet canonical URL
	//  :above :below (uri) Text is the uri; (token) System|Code the concept
}

// SearchResult is one page of matches.
type SearchResult struct {
	Matches []Resource
	Next    string // cursor of the next page; "" when this is the last
	Total   int    // -1 unless SearchQuery.Total was set
}

// Index holds the search-index rows of one resource version, one slice per
// parameter type (DESIGN.md §3). Param is the SearchParameter code.
type Index struct {
	Tokens     []TokenKey
	Strings    []StringKey
	Dates      []DateKey
	References []RefKey
	Quantities []QuantityKey
	Numbers    []NumberKey
	URIs       []URIKey

	// Added for complete search:
	Composites      []CompositeKey      // composite parameters (search.html#composite)
	IdentifierTypes []IdentifierTypeKey // Identifier.type + value, for token :of-type
	RefIdentifiers  []TokenKey          // Reference.identifier (system, value in Code), for :identifier
}

// TokenKey indexes a Coding, Identifier, ContactPoint, code or boolean.
type TokenKey struct{ Param, System, Code, Text string }

// StringKey indexes a string: Norm is lower-cased with accents removed (for the
// default "starts with" match), Exact is the original text (for :exact).
type StringKey struct{ Param, Norm, Exact string }

// DateKey indexes a date, dateTime, instant, Period or Timing as the range
// [Low, High) it covers (search.html#date: precision implies a range).
type DateKey struct {
	Param     string
	Low, High time.Time
}

// RefKey indexes a Reference: local references have Type and ID, absolute ones URL.
type RefKey struct{ Param, Type, ID, URL string }

// QuantityKey indexes a Quantity (or Money) value.
type QuantityKey struct {
	Param              string
	Value              float64
	System, Code, Unit string

	// Added for complete search: Low and High are the span the value covers,
	// both equal to Value for a Quantity; for a Range (indexed by the quantity
	// parameters that select one, e.g. context-quantity) its low and high, an
	// open end being -math.MaxFloat64 or math.MaxFloat64 (Value is then the
	// low, or the high when there is no low).
	Low, High float64
}

// NumberKey indexes a decimal or integer.
type NumberKey struct {
	Param string
	Value float64
}

// URIKey indexes a uri, url or canonical.
type URIKey struct{ Param, URI string }

// CompositeKey indexes one combination of the component values of a composite
// parameter (search.html#composite): for each item its expression selects,
// every combination of one row per component. Parts are in the order of the
// SearchParameter's components.
type CompositeKey struct {
	Param string
	Parts []CompositePart
}

// CompositePart is one component of a CompositeKey: Param is the component's
// search parameter code, Type its type, and the one key field matching Type is
// set (its own Param field repeats the component code).
type CompositePart struct {
	Param    string
	Type     ParamType
	Token    TokenKey
	String   StringKey
	Date     DateKey
	Ref      RefKey
	Quantity QuantityKey
	Number   NumberKey
	URI      URIKey
}

// IdentifierTypeKey indexes an Identifier with a type, for the token
// modifier :of-type (search.html#token: "[system]|[code]|[value]" where
// system|code is a coding of Identifier.type). One row per type coding.
type IdentifierTypeKey struct {
	Param                string
	TypeSystem, TypeCode string
	Value                string
}

// ResourceKey names a logical resource.
type ResourceKey struct{ Type, ID string }

// CurrentReader is implemented by a store that reads the current versions of
// many resources at once by their (type, id) key, in one query (the bulk
// import compares each incoming resource with its current version). Find it
// with AsCurrentReader.
type CurrentReader interface {
	// ReadCurrent returns the current version of each key that exists, in no
	// particular order, tombstones included (Deleted, Body nil); keys that
	// never existed are left out.
	ReadCurrent(ctx context.Context, keys []ResourceKey) ([]Resource, error)
}

// Unwrapper is implemented by a store wrapper that only adds work around
// Write (commit hooks, job queueing) and reads exactly as the store it wraps,
// so that optional read interfaces (CurrentReader, RangeReader) are looked
// for behind it. A wrapper that filters or guards reads must not implement it.
type Unwrapper interface {
	Unwrap() Store
}

// RangeReader is implemented by a store that reads the current resources of
// one type in slices of its primary key range, each slice with one query, so
// that a bulk export can read several slices at once (PostgreSQL: the server
// turns each jsonb body back into text, and one reader keeps one core busy).
// Find it with AsRangeReader.
type RangeReader interface {
	// KeyRanges returns the extent of the keys of each type of types (every
	// type when types is empty) that has resources, tombstones included, in
	// one query, by type name.
	KeyRanges(ctx context.Context, types []string) ([]KeyRange, error)
	// ScanRange calls fn with each current, non-deleted resource of typ whose
	// key k is lo ≤ k < hi, in key order. An error from fn stops the scan.
	// The Resource's Body is only valid until fn returns (it may be the
	// driver's read buffer): fn copies what it keeps.
	ScanRange(ctx context.Context, typ string, lo, hi int64, fn func(Resource) error) error
}

// KeyRange is the extent of one type's keys in a RangeReader: the smallest
// and the largest, and how many resources there are (N > 0).
type KeyRange struct {
	Type   string
	Lo, Hi int64
	N      int
}

// Filter is implemented by a store wrapper whose reads are those of the store
// it wraps minus what keep refuses (e.g. derived records an export leaves
// out): AsRangeReader looks behind it and applies keep.
type Filter interface {
	Unfilter() (inner Store, keep func(Resource) bool)
}

// AsRangeReader finds a RangeReader in st or behind its Unwrappers and
// Filters; what it reads goes through the filters met on the way.
func AsRangeReader(st Store) (RangeReader, bool) {
	var keeps []func(Resource) bool
	for st != nil {
		if r, ok := st.(RangeReader); ok {
			if len(keeps) == 0 {
				return r, true
			}
			return filteredRanges{r, keeps}, true
		}
		switch w := st.(type) {
		case Unwrapper:
			st = w.Unwrap()
		case Filter:
			var keep func(Resource) bool
			st, keep = w.Unfilter()
			keeps = append(keeps, keep)
		default:
			return nil, false
		}
	}
	return nil, false
}

// filteredRanges is a RangeReader whose scans skip what a filter refuses.
type filteredRanges struct {
	RangeReader
	keeps []func(Resource) bool
}

func (f filteredRanges) ScanRange(ctx context.Context, typ string, lo, hi int64, fn func(Resource) error) error {
	return f.RangeReader.ScanRange(ctx, typ, lo, hi, func(r Resource) error {
		for _, keep := range f.keeps {
			if !keep(r) {
				return nil
			}
		}
		return fn(r)
	})
}

// AsCurrentReader finds a CurrentReader in st or behind its Unwrappers.
func AsCurrentReader(st Store) (CurrentReader, bool) {
	for st != nil {
		if r, ok := st.(CurrentReader); ok {
			return r, true
		}
		u, ok := st.(Unwrapper)
		if !ok {
			return nil, false
		}
		st = u.Unwrap()
	}
	return nil, false
}
