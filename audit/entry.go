// Package audit is the access journal of the LRSSS (s. 103: every access,
// use and communication — which information, who, when): an append-only
// chain of entries, each hashed with the previous one, with periodic
// checkpoints signed by the server's key, verified by "dsn audit verify",
// and shown as FHIR AuditEvent to citizens and privacy officers. Storage is
// dsn.Journal (both store adapters); this package holds no SQL.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash"
	"sync"
	"time"

	"dsn"
)

// Entry is one journal entry: one request's access to one patient's record
// (or to no record at all), or — Patients — to several: a request that
// touched several records (a search) leaves one entry naming each with its
// resources (LRSSS s. 103 asks that every access be logged and that the
// citizen see who consulted the record, not one row per record; the entry's
// head — who, when, what — is then stored once, docs/decisions/0023). It is
// stored as JSON; the chain hashes those bytes.
type Entry struct {
	Time          time.Time `json:"time"`
	Agent         string    `json:"agent"`          // user:ID, client:ID, or anonymous
	Name          string    `json:"name,omitempty"` // the person's or system's name
	Role          string    `json:"role,omitempty"`
	Establishment string    `json:"est,omitempty"`
	Practitioner  string    `json:"practitioner,omitempty"`
	Client        string    `json:"client,omitempty"` // OAuth client
	TokenID       string    `json:"jti,omitempty"`
	Remote        string    `json:"remote,omitempty"` // the caller's address

	Action      string   `json:"action"`                // read, search, write, denied, export, token, break-glass, review, ...
	Interaction string   `json:"interaction,omitempty"` // the FHIR interaction (read, search-type, ...)
	Method      string   `json:"method,omitempty"`
	Path        string   `json:"path,omitempty"`
	Query       string   `json:"query,omitempty"` // the search's parameters
	Status      int      `json:"status,omitempty"`
	Outcome     string   `json:"outcome,omitempty"` // "" success, else the error kind
	Patient     string   `json:"patient,omitempty"` // whose record
	Resources   []string `json:"resources,omitempty"`
	Denied      []string `json:"denied,omitempty"` // resources refused by the policy
	Basis       string   `json:"basis,omitempty"`  // why allowed: care-relationship, break-the-glass, own-record...
	Purpose     string   `json:"purpose,omitempty"`
	Reason      string   `json:"reason,omitempty"` // the stated reason of a break-the-glass
	// Patients: the records of a request that touched several, each with
	// its resources; Patient, Resources and Denied are then empty.
	Patients []Part `json:"patients,omitempty"`
}

// Part is one record's share of an entry naming several.
type Part struct {
	Patient   string   `json:"patient,omitempty"`
	Resources []string `json:"resources,omitempty"`
	Denied    []string `json:"denied,omitempty"`
}

// Split is e as one entry per record, the form of entries naming one:
// e itself unless it names several.
func (e Entry) Split() []Entry {
	if len(e.Patients) == 0 {
		return []Entry{e}
	}
	out := make([]Entry, len(e.Patients))
	for i, p := range e.Patients {
		out[i] = e
		out[i].Patients = nil
		out[i].Patient, out[i].Resources, out[i].Denied = p.Patient, p.Resources, p.Denied
	}
	return out
}

// For is e as patient's record sees it: of an entry naming several, only
// patient's part (a citizen sees who consulted their record, not which other
// records the same request touched); ok is false if e does not name patient.
func (e Entry) For(patient string) (Entry, bool) {
	for _, x := range e.Split() {
		if x.Patient == patient {
			return x, true
		}
	}
	return Entry{}, false
}

// Decode reads a stored entry.
func Decode(a dsn.AuditEntry) (Entry, error) {
	var e Entry
	err := json.Unmarshal(a.Body, &e)
	return e, err
}

// Names tells whether a names patient's record — of an entry naming several,
// from its body (dsn.AuditEntry.Patient, as PostgreSQL reads it back, is empty).
func Names(a dsn.AuditEntry, patient string) bool {
	if patient == "" {
		return false
	}
	if dsn.NamesAuditPatient(a.Patient, patient) {
		return true
	}
	e, err := Decode(a)
	if err != nil {
		return false
	}
	_, ok := e.For(patient)
	return ok
}

// Link sets a.Hash = SHA-256(prev ‖ seq as 8 bytes big-endian ‖ body): each
// entry commits to its position and to every entry before it, so changing,
// removing or inserting one breaks every later hash.
func Link(prev []byte, a *dsn.AuditEntry) {
	a.Hash = chainHash(prev, a.Seq, a.Body)
}

func chainHash(prev []byte, seq int64, body []byte) []byte {
	// a pooled digest: sha256.New allocates one (~200 bytes) per entry on
	// the request path, the appender's and dsn audit verify's
	h := hashers.Get().(hash.Hash)
	h.Reset()
	h.Write(prev)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	h.Write(n[:])
	h.Write(body)
	sum := h.Sum(make([]byte, 0, sha256.Size)) // kept: the next entry's prev
	hashers.Put(h)
	return sum
}

var hashers = sync.Pool{New: func() any { return sha256.New() }}
