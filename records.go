package dsn

import (
	"context"
	"time"
)

// Record is one small JSON document of the access machinery kept beside the
// FHIR resources (migration 0004): a user, a client, a signing key, a one-time
// authorisation code, a break-the-glass grant, an audit checkpoint. Kind
// groups them; ID is unique within a kind; Key is a secondary lookup value
// (a username, a patient id) that need not be unique.
type Record struct {
	Kind, ID, Key string
	Body          []byte // JSON
	Updated       time.Time
}

// Records is the keyed document store of package access, fulfilled by both
// store adapters (they also fulfil dsn.Store on the same database, so a
// command-line process and a server see each other's records at once).
type Records interface {
	// PutRecord creates or replaces r (Kind, ID) durably.
	PutRecord(ctx context.Context, r Record) error
	// GetRecord returns one record. Errors: KindNotFound.
	GetRecord(ctx context.Context, kind, id string) (Record, error)
	// FindRecords returns the records of kind whose Key is key, in ID order.
	FindRecords(ctx context.Context, kind, key string) ([]Record, error)
	// ListRecords returns every record of kind, in ID order.
	ListRecords(ctx context.Context, kind string) ([]Record, error)
	// TakeRecord deletes one record and returns it, atomically: of two
	// concurrent takers only one gets it (one-time codes). Errors: KindNotFound.
	TakeRecord(ctx context.Context, kind, id string) (Record, error)
	// DeleteRecord removes one record; deleting nothing is not an error.
	DeleteRecord(ctx context.Context, kind, id string) error
}

// RevocationSignal is kept by a store whose processes must all refuse a
// revoked token on their next request (decision 0013). Package access
// calls RevocationSeq on every request, so it does no I/O: a counter in
// memory the store keeps current. SignalRevocation is called after a
// revocation record is written; when it returns, every process sharing
// the store sees a new RevocationSeq (and reloads the revocations before
// deciding its next request).
type RevocationSignal interface {
	RevocationSeq() uint64
	SignalRevocation(ctx context.Context) error
}
