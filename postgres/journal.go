package postgres

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dsn"
	"dsn/internal/sqlstore"
)

// dsn.Journal on the records' database (migration 0004), on connections of
// the read pool (docs/decisions/0007-journal-durability.md).
//
// Appends commit with synchronous_commit off: COMMIT returns once the entries
// are in PostgreSQL's WAL buffers (they survive a crash of DSN, not of
// PostgreSQL); SyncAudit commits a transaction that waits for the WAL flush,
// which covers every earlier commit (the WAL is one sequence).
//
// The chain's tail (seq, hash) is kept in memory between appends instead of
// being read each time. Appends of every process take turns on a
// transaction-level advisory lock; audit_entry's primary key tells an
// appender whose tail is stale (another process — dsn export, dsn token, a
// second server — appended meanwhile): its insert of an already used seq
// fails, and it appends again reading the tail under the lock. Without the
// lock two busy processes could keep taking each other's seq
// (TestJournalTwoProcesses lost entries that way after ten retries).

var _ dsn.Journal = (*Store)(nil)

var (
	sqlAuditScan = sqlstore.Rebind(sqlstore.SQLAuditScan)
	// a transactional WAL record gives the sync transaction an xid and WAL to
	// flush at COMMIT (a transaction that wrote nothing commits without
	// flushing); it is ignored unless someone decodes logical messages
	sqlAuditFlush = `SELECT pg_logical_emit_message(true, 'dsn.audit.sync', '')`
)

// journalTail is the chain's tail as this process last wrote or read it.
type journalTail struct {
	mu    sync.Mutex // one append at a time in this process
	known bool
	seq   int64
	hash  []byte
}

// appendAttempts bounds the retries of an append that lost the race for a
// seq to another process.
const appendAttempts = 10

// AppendAudit appends journal entries after the tail (contract: dsn.Journal).
func (s *Store) AppendAudit(ctx context.Context, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) error {
	const op = "postgres.AppendAudit"
	t := &s.tail
	t.mu.Lock()
	defer t.mu.Unlock()
	var err error
	for range appendAttempts {
		err = s.conn(ctx, op, func(c *pgx.Conn) error { return t.append(ctx, c, entries, link) })
		if err == nil || !seqTaken(err) {
			return err
		}
	}
	return dsn.Wrap(op, dsn.KindUnavailable, err)
}

// append writes entries after t in one transaction and moves t on; on any
// error t is forgotten, to be read again. Every append holds the journal's
// advisory lock for its transaction, so appenders of all processes take turns.
// With the tail known it is one round trip (BEGIN, the lock, one INSERT of the
// whole batch, COMMIT); if another process appended meanwhile the insert hits
// a seq already taken, and the append runs again reading the tail under the
// lock, which then cannot fail that way.
func (t *journalTail) append(ctx context.Context, c *pgx.Conn, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) (err error) {
	defer func() {
		if err != nil {
			t.known = false
		}
	}()
	if t.known {
		seq, prev, cols := t.chain(t.seq, t.hash, entries, link)
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue("SET LOCAL synchronous_commit = off")
		b.Queue(sqlAuditLock)
		b.Queue(sqlAuditInsertMany, cols.args()...)
		b.Queue("COMMIT")
		err := c.SendBatch(ctx, b).Close()
		if err == nil {
			t.seq, t.hash = seq, prev
			return nil
		}
		// a failed statement left the transaction aborted
		if _, rb := c.Exec(context.Background(), "ROLLBACK"); rb != nil || !seqTaken(err) {
			return err
		}
	}
	return t.appendLocked(ctx, c, entries, link)
}

// appendLocked reads the tail under the lock, then appends (two round trips).
func (t *journalTail) appendLocked(ctx context.Context, c *pgx.Conn, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	b := &pgx.Batch{}
	b.Queue("SET LOCAL synchronous_commit = off")
	b.Queue(sqlAuditLock)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	var tailSeq int64
	var tailHash []byte
	err = tx.QueryRow(ctx, sqlstore.SQLAuditTail).Scan(&tailSeq, &tailHash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	seq, prev, cols := t.chain(tailSeq, tailHash, entries, link)
	if _, err := tx.Exec(ctx, sqlAuditInsertMany, cols.args()...); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	t.seq, t.hash, t.known = seq, prev, true
	return nil
}

// chain numbers and links entries after (seq, prev) and returns the new tail
// and the entries column by column.
func (t *journalTail) chain(seq int64, prev []byte, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) (int64, []byte, auditColumns) {
	var cols auditColumns
	seq, prev = sqlstore.ChainAudit(seq, prev, entries, link, cols.add)
	return seq, prev, cols
}

// sqlAuditLock serialises the appenders of every process on one schema's journal.
const sqlAuditLock = `SELECT pg_advisory_xact_lock(hashtext('dsn.audit.' || current_schema()))`

// sqlAuditInsertMany inserts a batch of entries from one array per column.
const sqlAuditInsertMany = `INSERT INTO audit_entry (seq, time, patient, agent, action, body, hash)
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])`

// auditColumns holds a batch of entries column by column (sqlAuditInsertMany).
type auditColumns struct {
	seq, time                    []int64
	patient, agent, action, body []string
	hash                         [][]byte
}

func (c *auditColumns) args() []any {
	return []any{c.seq, c.time, c.patient, c.agent, c.action, c.body, c.hash}
}

func (c *auditColumns) add(e *dsn.AuditEntry) {
	c.seq = append(c.seq, e.Seq)
	c.time = append(c.time, sqlstore.Micros(e.Time))
	c.patient = append(c.patient, e.Patient)
	c.agent = append(c.agent, e.Agent)
	c.action = append(c.action, e.Action)
	c.body = append(c.body, string(e.Body))
	c.hash = append(c.hash, e.Hash)
}

// seqTaken tells the unique violation of an append that raced another process.
func seqTaken(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// SyncAudit waits for the WAL flush of a transaction committed now, which
// covers every append this process committed before (contract: dsn.Journal).
func (s *Store) SyncAudit(ctx context.Context) error {
	return s.conn(ctx, "postgres.SyncAudit", func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		b := &pgx.Batch{}
		b.Queue("SET LOCAL synchronous_commit = on")
		b.Queue(sqlAuditFlush)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// ScanAudit calls fn with the entries from Seq from on (contract: dsn.Journal).
func (s *Store) ScanAudit(ctx context.Context, from int64, fn func(dsn.AuditEntry) error) error {
	const chunk = 20000
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
	query, args := sqlstore.AuditSearch(q)
	query = sqlstore.Rebind(query)
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
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
