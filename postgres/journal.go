package postgres

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// dsn.Journal on the records' database (migration 0004), its entries spooled
// on this machine first (journal_spool.go, docs/decisions/0017-postgres-journal-spool.md;
// durability classes: 0007).
//
// An append is one write(2) to the spool: once it returns the entries are in
// the operating system (they survive a crash of DSN); SyncAudit fsyncs the
// spool. The mover numbers, links and copies them into audit_entry; every read
// of the journal moves what this machine's spool holds first.

var _ dsn.Journal = (*Store)(nil)

var sqlAuditScan = sqlstore.Rebind(sqlstore.SQLAuditScan)

// sqlAuditLock serialises the writers of one schema's journal, of every
// process and machine: each move numbers its entries after the tail it reads
// under this lock.
const sqlAuditLock = `SELECT pg_advisory_xact_lock(hashtext('dsn.audit.' || current_schema()))`

// AppendAudit writes entries to the spool (contract: dsn.Journal): one write,
// under its lock, so another process of this machine appends in turn. They
// get their Seq and Hash (link) when the mover copies them into audit_entry,
// under the journal's advisory lock, so that seq is one sequence for every
// server sharing the database.
func (s *Store) AppendAudit(ctx context.Context, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) error {
	const op = "postgres.AppendAudit"
	j := s.journal
	if j.link.Load() == nil {
		f := linkFunc(link)
		j.link.CompareAndSwap(nil, &f)
	}
	for i := range entries {
		e := &entries[i]
		e.Patient, e.Agent, e.Action = pgText(e.Patient), pgText(e.Agent), pgText(e.Action)
	}
	if err := j.spool.Append(entries, nil, nil); err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	select {
	case j.pending <- struct{}{}:
	default:
	}
	return nil
}

// pgText makes s storable in a PostgreSQL text column, which refuses NUL
// and invalid UTF-8. The columns are copies kept for the views (the chain
// hashes Body, JSON already valid): one entry PostgreSQL refused would
// otherwise stop the mover, and every entry after it, for good — and a
// refused sign-in's agent is whatever the caller typed.
func pgText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// SyncAudit fsyncs the spool, which holds every entry this process appended
// and the mover has not copied; each move commits synchronously, before the
// spool is emptied (contract: dsn.Journal). A failed fsync is final
// (spool.Sync): every later append fails too.
func (s *Store) SyncAudit(ctx context.Context) error {
	if err := s.journal.spool.Sync(); err != nil {
		return dsn.Wrap("postgres.SyncAudit", dsn.KindInternal, err)
	}
	return nil
}

// catchUp moves the spool's records into audit_entry before the journal is
// read, so that a reader sees every entry appended on this machine before its
// call.
func (s *Store) catchUp(ctx context.Context, op string) error {
	if err := s.moveSpool(ctx, false); err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	return nil
}

// ScanAudit calls fn with the entries from Seq from on (contract: dsn.Journal).
func (s *Store) ScanAudit(ctx context.Context, from int64, fn func(dsn.AuditEntry) error) error {
	const chunk = 20000
	if err := s.catchUp(ctx, "postgres.ScanAudit"); err != nil {
		return err
	}
	for {
		n := 0
		var fnErr error
		err := s.conn(ctx, "postgres.ScanAudit", func(c *pgx.Conn) error {
			rows, err := c.Query(ctx, sqlAuditScan, from, chunk)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				e, err := sqlstore.ScanAuditEntry(rows)
				if err != nil {
					return err
				}
				n, from = n+1, e.Seq+1
				if fnErr = fn(e); fnErr != nil {
					return nil
				}
			}
			return rows.Err()
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil || n < chunk {
			return err
		}
	}
}

// SearchAudit returns the entries q selects, newest first (contract: dsn.Journal).
func (s *Store) SearchAudit(ctx context.Context, q dsn.AuditQuery) (out []dsn.AuditEntry, err error) {
	if err := s.catchUp(ctx, "postgres.SearchAudit"); err != nil {
		return nil, err
	}
	query, args := auditSearch(q)
	err = s.conn(ctx, "postgres.SearchAudit", func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := sqlstore.ScanAuditEntry(rows)
			if err != nil {
				return err
			}
			if q.Patient != "" {
				e.Patient = q.Patient // of an entry naming several, the one asked for (dsn.AuditEntry)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// auditSearch is SearchAudit's query. With a patient it also reads the
// entries naming that patient after their first record (audit_patient,
// migration 0015): two index scans newest first, each stopped at the page's
// size, then merged.
func auditSearch(q dsn.AuditQuery) (string, []any) {
	query, args := sqlstore.AuditSearch(q)
	if q.Patient == "" {
		return sqlstore.Rebind(query), args
	}
	// the same conditions on e, the audit_patient row's entry
	var conds []string
	others := []any{q.Patient}
	if q.Agent != "" {
		conds, others = append(conds, "e.agent = ?"), append(others, q.Agent)
	}
	if q.Action != "" {
		conds, others = append(conds, "e.action = ?"), append(others, q.Action)
	}
	if !q.Since.IsZero() {
		conds, others = append(conds, "e.time >= ?"), append(others, sqlstore.Micros(q.Since))
	}
	if q.Before > 0 {
		conds, others = append(conds, "p.seq < ?"), append(others, q.Before)
	}
	n := args[len(args)-1] // the page's size
	both := `SELECT * FROM ((` + query + `) UNION ALL (SELECT e.seq, e.time, e.patient, e.agent, e.action, e.body, e.hash
		FROM audit_patient p JOIN audit_entry e ON e.seq = p.seq WHERE p.patient = ?` + strings.Join(append([]string{""}, conds...), " AND ") + `
		ORDER BY p.seq DESC LIMIT ?)) u ORDER BY seq DESC LIMIT ?`
	args = append(args, others...)
	return sqlstore.Rebind(both), append(args, n, n)
}
