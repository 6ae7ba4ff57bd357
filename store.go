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
}

// Write is one new version to store, with the search-index rows extracted from it.
type Write struct {
	Resource
	// PatientKey is the id of the Patient whose compartment holds the resource
	// ("" if none). Every patient-compartment row carries it so that the schema can
	// later be distributed by patient (DESIGN.md §3).
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
	// (group commit), isolating each fn with a savepoint; fn must therefore not keep
	// state across calls and must do all its work through the Tx.
	Write(ctx context.Context, fn func(Tx) error) error
	// Close releases the database; pending Writes finish first.
	Close() error
}

// Tx is the view of the store inside Store.Write. It sees its own writes.
type Tx interface {
	// Read is Store.Read within the transaction.
	Read(typ, id string) (Resource, error)
	// Search is Store.Search within the transaction (used by conditional operations).
	Search(q SearchQuery) (SearchResult, error)
	// Put stores w as the new current version of w.Type/w.ID and replaces the index
	// rows. w.VersionID must be the current version + 1 (1 for a new id).
	// Errors: KindConflict if another version w.VersionID already exists.
	Put(w Write) error
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
}

// NumberKey indexes a decimal or integer.
type NumberKey struct {
	Param string
	Value float64
}

// URIKey indexes a uri, url or canonical.
type URIKey struct{ Param, URI string }
