package sqlstore

import (
	"strconv"
	"strings"

	"dsn"
)

// The SQL of dsn.Records and dsn.Journal (migration 0004), the same text on
// both databases: written with "?" parameters, which Rebind numbers for
// PostgreSQL. Instants are Unix microseconds in both.
const (
	SQLPutRecord = `INSERT INTO access_record (kind, id, key, body, updated) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET key = excluded.key, body = excluded.body, updated = excluded.updated`
	SQLGetRecord    = `SELECT kind, id, key, body, updated FROM access_record WHERE kind = ? AND id = ?`
	SQLFindRecords  = `SELECT kind, id, key, body, updated FROM access_record WHERE kind = ? AND key = ? ORDER BY id`
	SQLListRecords  = `SELECT kind, id, key, body, updated FROM access_record WHERE kind = ? ORDER BY id`
	SQLTakeRecord   = `DELETE FROM access_record WHERE kind = ? AND id = ? RETURNING kind, id, key, body, updated`
	SQLDeleteRecord = `DELETE FROM access_record WHERE kind = ? AND id = ?`

	SQLAuditTail   = `SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1`
	SQLAuditInsert = `INSERT INTO audit_entry (seq, time, patient, agent, action, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`
	SQLAuditScan   = `SELECT seq, time, patient, agent, action, body, hash FROM audit_entry WHERE seq >= ? ORDER BY seq LIMIT ?`
	auditCols      = `SELECT seq, time, patient, agent, action, body, hash FROM audit_entry`
)

// Rebind numbers the "?" parameters of query ($1, $2, …) for PostgreSQL. The
// queries of this file hold no "?" inside literals.
func Rebind(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ScanRecord reads the columns of the record queries.
func ScanRecord(row Scanner) (dsn.Record, error) {
	var r dsn.Record
	var body string
	var us int64
	if err := row.Scan(&r.Kind, &r.ID, &r.Key, &body, &us); err != nil {
		return dsn.Record{}, err
	}
	r.Body, r.Updated = []byte(body), FromMicros(us)
	return r, nil
}

// RecordArgs are the parameters of SQLPutRecord.
func RecordArgs(r dsn.Record) []any {
	return []any{r.Kind, r.ID, r.Key, string(r.Body), Micros(r.Updated)}
}

// ScanAuditEntry reads the columns of the audit queries.
func ScanAuditEntry(row Scanner) (dsn.AuditEntry, error) {
	var e dsn.AuditEntry
	var body string
	var us int64
	if err := row.Scan(&e.Seq, &us, &e.Patient, &e.Agent, &e.Action, &body, &e.Hash); err != nil {
		return dsn.AuditEntry{}, err
	}
	e.Time, e.Body = FromMicros(us), []byte(body)
	return e, nil
}

// ChainAudit numbers entries after seq and links each to the hash before it
// (link: audit.Link), calling each on every entry once it is chained; it
// returns the new tail. Both journals (SQLite's spool, PostgreSQL's append)
// chain this way, under their lock, so that seq has no gap and every hash
// covers the one before (audit/README.md).
func ChainAudit(seq int64, prev []byte, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry), each func(*dsn.AuditEntry)) (int64, []byte) {
	for i := range entries {
		e := &entries[i]
		seq++
		e.Seq = seq
		link(prev, e)
		prev = e.Hash
		each(e)
	}
	return seq, prev
}

// AuditArgs are the parameters of SQLAuditInsert.
func AuditArgs(e *dsn.AuditEntry) []any {
	return []any{e.Seq, Micros(e.Time), e.Patient, e.Agent, e.Action, string(e.Body), e.Hash}
}

// AuditSearch builds the query of dsn.Journal.SearchAudit ("?" parameters).
func AuditSearch(q dsn.AuditQuery) (string, []any) {
	var conds []string
	var args []any
	if q.Patient != "" {
		conds, args = append(conds, "patient = ?"), append(args, q.Patient)
	}
	if q.Agent != "" {
		conds, args = append(conds, "agent = ?"), append(args, q.Agent)
	}
	if q.Action != "" {
		conds, args = append(conds, "action = ?"), append(args, q.Action)
	}
	if !q.Since.IsZero() {
		conds, args = append(conds, "time >= ?"), append(args, Micros(q.Since))
	}
	if q.Before > 0 {
		conds, args = append(conds, "seq < ?"), append(args, q.Before)
	}
	n := q.Count
	if n <= 0 {
		n = 100
	}
	sql := auditCols
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	return sql + " ORDER BY seq DESC LIMIT ?", append(args, n)
}
