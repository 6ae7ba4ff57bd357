package dsn

import (
	"context"
	"strings"
	"time"
)

// AuditEntry is one entry of the access journal (package audit, LRSSS s. 103):
// who did what to whose record, when. Body is the whole entry as JSON; the
// other fields are copies kept in columns for search. Seq and Hash are set by
// the journal (Journal.AppendAudit).
type AuditEntry struct {
	Seq  int64
	Time time.Time
	// Patient is the Patient id whose record was touched ("" if none). The
	// one entry of a request that touched several records (audit.Entry.Patients)
	// names them all, separated by single spaces (a FHIR id holds none), as the
	// journal is given it and as SQLite's ScanAudit returns it (PostgreSQL's
	// returns "" for it: its patient column holds one, the list is in
	// audit_patient; the body names them all); SearchAudit finds it under
	// each of them and returns it with Patient set to the one asked for.
	Patient string
	Agent   string // who: the user or client id
	Action  string // read, search, create, update, delete, export, denied, ...
	Body    []byte
	Hash    []byte // SHA-256 chaining this entry to the previous one
}

// AuditPatients calls fn with each patient an AuditEntry.Patient names.
func AuditPatients(list string, fn func(patient string)) {
	for list != "" {
		p, rest, _ := strings.Cut(list, " ")
		if p != "" {
			fn(p)
		}
		list = rest
	}
}

// NamesAuditPatient tells whether an AuditEntry.Patient names patient.
func NamesAuditPatient(list, patient string) bool {
	if list == patient {
		return patient != ""
	}
	for list != "" {
		p, rest, _ := strings.Cut(list, " ")
		if p == patient {
			return true
		}
		list = rest
	}
	return false
}

// AuditQuery selects journal entries, newest first.
type AuditQuery struct {
	Patient string    // only this patient's record ("" any)
	Agent   string    // only this agent ("" any)
	Action  string    // only this action ("" any), e.g. break-glass, denied
	Since   time.Time // only entries at or after (zero: all)
	Before  int64     // only Seq < Before (0: no bound): the cursor of the next page
	Count   int       // page size (0: 100)
}

// Journal is the append-only storage of the access journal, fulfilled by both
// store adapters (SQLite: a database file of its own beside the records;
// PostgreSQL: the records' database). Durability comes in two steps
// (docs/decisions/0007-journal-durability.md): AppendAudit writes, SyncAudit
// makes durable.
type Journal interface {
	// AppendAudit appends entries after the current tail, in order: each
	// gets the next Seq and link(prev, e) sets e.Hash from the previous
	// entry's Hash (nil for an empty journal) — at once (SQLite), or when the
	// store moves them from its spool into the database, before any read of
	// the journal by this process sees them (PostgreSQL, decision 0017: seq is
	// then shared by every server on the database). It returns once the
	// entries are written outside this process (they survive its crash), not
	// necessarily on disk: SyncAudit does that.
	// Concurrent appenders (another process) are serialised; the chain never
	// forks.
	AppendAudit(ctx context.Context, entries []AuditEntry, link func(prev []byte, e *AuditEntry)) error
	// SyncAudit returns once every entry this process appended before the
	// call is durable (it survives a power loss).
	SyncAudit(ctx context.Context) error
	// ScanAudit calls fn with every entry of Seq >= from, in Seq order, until fn
	// returns an error (returned as is).
	ScanAudit(ctx context.Context, from int64, fn func(AuditEntry) error) error
	// SearchAudit returns the entries q selects, newest first.
	SearchAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}
