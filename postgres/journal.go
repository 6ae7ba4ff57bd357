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
// being read under a lock each time; audit_entry's primary key is the fence
// against another process (dsn export, dsn token) appending meanwhile: our
// insert of an already used seq fails, and the append reloads the tail and
// runs again. An insert racing an uncommitted one waits for its outcome
// (unique index), so the chain never forks.

var _ dsn.Journal = (*Store)(nil)

var (
	sqlAuditInsert = sqlstore.Rebind(sqlstore.SQLAuditInsert)
	sqlAuditScan   = sqlstore.Rebind(sqlstore.SQLAuditScan)
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
// error t is forgotten, to be read again.
func (t *journalTail) append(ctx context.Context, c *pgx.Conn, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) (err error) {
	defer func() {
		if err != nil {
			t.known = false
		}
	}()
	if !t.known {
		t.seq, t.hash = 0, nil
		err := c.QueryRow(ctx, sqlstore.SQLAuditTail).Scan(&t.seq, &t.hash)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		t.known = true
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	b := &pgx.Batch{}
	b.Queue("SET LOCAL synchronous_commit = off")
	seq, prev := t.seq, t.hash
	for i := range entries {
		e := &entries[i]
		seq++
		e.Seq = seq
		link(prev, e)
		prev = e.Hash
		b.Queue(sqlAuditInsert, sqlstore.AuditArgs(e)...)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	t.seq, t.hash = seq, prev
	return nil
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
