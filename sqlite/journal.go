package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"dsn"
	"dsn/internal/spool"
	"dsn/internal/sqlstore"
)

// The access journal (dsn.Journal) lives in a database file of its own,
// JournalFileName beside the records, with its own writer connection: journal
// appends never queue behind resource writes in the writer goroutine, nor wait
// for their WAL fsync (docs/decisions/0007-journal-durability.md). Its WAL runs
// with synchronous=NORMAL: an append is in the operating system once COMMIT
// returns (it survives a crash of this process); SyncAudit fsyncs the WAL, as
// the records' writer does for its batches (durable.go), and checkpoints run
// off the appender (checkpoint.go), with the same safety argument.

var _ dsn.Journal = (*Store)(nil)

// JournalFileName is the journal's database file inside the data directory.
const JournalFileName = "audit.db"

// journalSchema is the journal's table, the same as migration 0004's
// audit_entry (which kept the journal in the records' file before). The file
// has no other table, so it needs no migrations of its own yet.
const journalSchema = `CREATE TABLE IF NOT EXISTS audit_entry (
    seq     INTEGER PRIMARY KEY,
    time    INTEGER NOT NULL,
    patient TEXT    NOT NULL,
    agent   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    body    TEXT    NOT NULL,
    hash    BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_entry_patient ON audit_entry (patient, seq);
CREATE INDEX IF NOT EXISTS audit_entry_agent ON audit_entry (agent, seq);`

// journal is the journal's file: one appending connection, a read pool.
type journal struct {
	path                 string
	mu                   sync.Mutex // one append at a time on conn
	wdb                  *sql.DB
	conn                 *sql.Conn
	tail                 *sql.Stmt
	ins                  *sql.Stmt
	insMany              *sql.Stmt // insertChunk rows at once (journal_spool.go)
	begin                *sql.Stmt
	commit               *sql.Stmt
	spool                *spool.Spool  // where appends go first (journal_spool.go)
	pending              chan struct{} // an append is waiting for the mover
	moverStop, moverDone chan struct{}
	rdb                  *sql.DB
	ckpt                 *checkpointer
	syncErr              atomic.Pointer[error] // the first failed fsync: every later append fails
}

// openJournal opens (creating) the journal file in dir. A journal kept by an
// earlier version in the records' file (migration 0004) is copied over, once,
// when the new file is still empty, so that verification keeps covering it.
func openJournal(ctx context.Context, dir string) (j *journal, err error) {
	j = &journal{path: filepath.Join(dir, JournalFileName)}
	defer func() {
		if err != nil {
			j.close()
			err = fmt.Errorf("journal %s: %w", j.path, err)
		}
	}()
	if j.wdb, err = sql.Open("sqlite", dataSource(j.path, false)); err != nil {
		return j, err
	}
	j.wdb.SetMaxOpenConns(1)
	if j.conn, err = j.wdb.Conn(ctx); err != nil {
		return j, err
	}
	if err = setWAL(ctx, j.conn); err != nil {
		return j, err
	}
	// Appends touch the tail of a few B-trees: 8 MiB of page cache is plenty,
	// where the resource writer's 64 MiB would only grow the server's RSS.
	if _, err = j.conn.ExecContext(ctx, "PRAGMA cache_size(-8192)"); err != nil {
		return j, err
	}
	if _, err = j.conn.ExecContext(ctx, journalSchema); err != nil {
		return j, err
	}
	if err = j.adopt(ctx, filepath.Join(dir, FileName)); err != nil {
		return j, err
	}
	if err = fsyncWAL(j.path + "-wal"); err != nil {
		return j, err
	}
	syncDir(j.path)
	if j.tail, err = j.conn.PrepareContext(ctx, sqlstore.SQLAuditTail); err != nil {
		return j, err
	}
	if j.ins, err = j.conn.PrepareContext(ctx, sqlstore.SQLAuditInsert); err != nil {
		return j, err
	}
	many := sqlstore.SQLAuditInsert + strings.Repeat(", (?, ?, ?, ?, ?, ?, ?)", insertChunk-1)
	if j.insMany, err = j.conn.PrepareContext(ctx, many); err != nil {
		return j, err
	}
	if j.begin, err = j.conn.PrepareContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return j, err
	}
	if j.commit, err = j.conn.PrepareContext(ctx, "COMMIT"); err != nil {
		return j, err
	}
	if j.rdb, err = sql.Open("sqlite", dataSource(j.path, true)); err != nil {
		return j, err
	}
	n := max(2, runtime.GOMAXPROCS(0))
	j.rdb.SetMaxOpenConns(n)
	j.rdb.SetMaxIdleConns(n)
	if j.ckpt, err = startCheckpointer(j.path); err != nil {
		return j, err
	}
	// what an earlier process left in the spool (a crash) goes into audit.db first
	if j.spool, err = spool.Open(filepath.Join(dir, spoolName), 1); err != nil {
		return j, err
	}
	if err = j.move(ctx, true); err != nil {
		return j, fmt.Errorf("journal spool: %w", err)
	}
	j.pending = make(chan struct{}, 1)
	j.moverStop, j.moverDone = make(chan struct{}), make(chan struct{})
	go j.mover()
	return j, nil
}

// adopt copies the entries of the records' file's audit_entry (the journal
// before it had a file of its own) into an empty journal, seq and hash
// unchanged, in one transaction. The old rows stay where they were.
func (j *journal) adopt(ctx context.Context, records string) (err error) {
	if _, err = j.conn.ExecContext(ctx, "ATTACH DATABASE ? AS old", records); err != nil {
		return err
	}
	defer func() {
		if _, derr := j.conn.ExecContext(context.Background(), "DETACH DATABASE old"); err == nil {
			err = derr
		}
	}()
	if _, err = j.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	// migration 0004 created old.audit_entry: the records' file is migrated first
	const copyOld = `INSERT INTO main.audit_entry SELECT seq, time, patient, agent, action, body, hash
		FROM old.audit_entry WHERE NOT EXISTS (SELECT 1 FROM main.audit_entry) ORDER BY seq`
	if _, err = j.conn.ExecContext(ctx, copyOld); err != nil {
		j.conn.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	_, err = j.conn.ExecContext(ctx, "COMMIT")
	return err
}

func (j *journal) close() error {
	var errs []error
	if j.moverStop != nil {
		close(j.moverStop)
		<-j.moverDone
		// leave audit.db complete: tools reading the file directly see every entry
		errs = append(errs, j.move(context.Background(), true))
	}
	if j.spool != nil {
		errs = append(errs, j.spool.Close())
	}
	if j.ckpt != nil {
		errs = append(errs, j.ckpt.close())
	}
	for _, st := range []*sql.Stmt{j.tail, j.ins, j.insMany, j.begin, j.commit} {
		if st != nil {
			st.Close()
		}
	}
	if j.conn != nil {
		errs = append(errs, j.conn.Close())
	}
	for _, db := range []*sql.DB{j.rdb, j.wdb} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// AppendAudit appends journal entries after the tail (contract: dsn.Journal):
// one write of the linked entries to the spool, under its lock, so another
// process's appender (dsn export, dsn token) waits its turn and the chain never
// forks. The mover takes them into audit.db (journal_spool.go).
func (s *Store) AppendAudit(ctx context.Context, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) error {
	const op = "sqlite.AppendAudit"
	if s.shut.Load() {
		return errClosed(op)
	}
	j := s.journal
	if p := j.syncErr.Load(); p != nil {
		return *p
	}
	if err := j.spool.Append(entries, link, j.dbTail); err != nil {
		if busy(err) {
			return dsn.Wrap(op, dsn.KindUnavailable, err)
		}
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	select {
	case j.pending <- struct{}{}:
	default:
	}
	return nil
}

// catchUp moves the spool's records into audit.db before the journal is read,
// so that a reader sees every entry appended before its call.
func (j *journal) catchUp(ctx context.Context, op string) error {
	if err := j.move(ctx, false); err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	return nil
}

// SyncAudit fsyncs the journal's WAL (contract: dsn.Journal). A failed fsync
// is final, for the reason durable.go gives: every later append fails too.
func (s *Store) SyncAudit(ctx context.Context) error {
	const op = "sqlite.SyncAudit"
	j := s.journal
	if p := j.syncErr.Load(); p != nil {
		return *p
	}
	// the spool holds every entry not yet moved; audit.db's WAL is fsynced
	// before the spool is emptied (journal_spool.go, move)
	if err := j.spool.Sync(); err != nil {
		e := dsn.Wrap(op, dsn.KindInternal, fmt.Errorf("fsync journal spool: %w", err))
		j.syncErr.CompareAndSwap(nil, &e)
		return e
	}
	return nil
}

// scanChunk bounds the rows one ScanAudit query reads, so that a long scan
// does not pin one WAL snapshot (and block checkpoints) for its whole run.
const scanChunk = 20000

// ScanAudit calls fn with the entries from Seq from on (contract: dsn.Journal).
func (s *Store) ScanAudit(ctx context.Context, from int64, fn func(dsn.AuditEntry) error) error {
	const op = "sqlite.ScanAudit"
	if err := s.journal.catchUp(ctx, op); err != nil {
		return err
	}
	for {
		if s.shut.Load() {
			return errClosed(op)
		}
		n, last, err := s.scanAuditChunk(ctx, from, fn)
		if err != nil || n < scanChunk {
			return err
		}
		from = last + 1
	}
}

func (s *Store) scanAuditChunk(ctx context.Context, from int64, fn func(dsn.AuditEntry) error) (n int, last int64, err error) {
	rows, err := s.journal.rdb.QueryContext(ctx, sqlstore.SQLAuditScan, from, scanChunk)
	if err != nil {
		return 0, 0, dsn.Wrap("sqlite.ScanAudit", dsn.KindInternal, err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := sqlstore.ScanAuditEntry(rows)
		if err != nil {
			return n, last, dsn.Wrap("sqlite.ScanAudit", dsn.KindInternal, err)
		}
		n, last = n+1, e.Seq
		if err := fn(e); err != nil {
			return n, last, err
		}
	}
	return n, last, dsn.Wrap("sqlite.ScanAudit", dsn.KindInternal, rows.Err())
}

// SearchAudit returns the entries q selects, newest first (contract: dsn.Journal).
func (s *Store) SearchAudit(ctx context.Context, q dsn.AuditQuery) ([]dsn.AuditEntry, error) {
	const op = "sqlite.SearchAudit"
	if s.shut.Load() {
		return nil, errClosed(op)
	}
	if err := s.journal.catchUp(ctx, op); err != nil {
		return nil, err
	}
	query, args := sqlstore.AuditSearch(q)
	rows, err := s.journal.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	defer rows.Close()
	var out []dsn.AuditEntry
	for rows.Next() {
		e, err := sqlstore.ScanAuditEntry(rows)
		if err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		out = append(out, e)
	}
	return out, dsn.Wrap(op, dsn.KindInternal, rows.Err())
}
