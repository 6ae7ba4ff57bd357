package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"dsn"
	"dsn/internal/spool"
	"dsn/internal/sqlstore"
)

// The access journal (dsn.Journal) lives in a database file of its own,
// JournalFileName beside the records, with its own writer connection: journal
// appends never queue behind resource writes in the writer goroutine, nor wait
// for their WAL fsync (docs/decisions/0007-journal-durability.md). Its WAL runs
// with synchronous=NORMAL: an append is in the operating system once COMMIT
// returns (it survives a crash of this process); the WAL is fsynced, as the
// records' writer does for its batches (durable.go), by each move before the
// spool is emptied (journal_spool.go; SyncAudit fsyncs the spool), and
// checkpoints run off the appender (checkpoint.go), with the same safety
// argument.

var _ dsn.Journal = (*Store)(nil)

// JournalFileName is the journal's database file inside the data directory.
const JournalFileName = "audit.db"

// journalSchema is the journal's layout (journal_block.go,
// docs/decisions/0016-journal-blocks.md): blocks of consecutive entries, and
// the views' index of patients, agents and actions, one row per key and
// batch. audit_block's data comes last so that reading the tail (last, hash,
// until) does not read the block's overflow pages.
const journalSchema = `CREATE TABLE IF NOT EXISTS audit_block (
    first INTEGER PRIMARY KEY, -- seq of its first entry
    last  INTEGER NOT NULL,    -- seq of its last entry
    until INTEGER NOT NULL,    -- µs: the latest entry time up to last (never decreases)
    hash  BLOB    NOT NULL,    -- the hash of its last entry: the chain's tail
    data  BLOB    NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_key (
    key   TEXT    NOT NULL,    -- p:patient, a:agent, x:action
    first INTEGER NOT NULL,    -- its first seq
    seqs  BLOB    NOT NULL,    -- the next ones, uvarint deltas
    PRIMARY KEY (key, first)
) WITHOUT ROWID;`

// journalPageSize is audit.db's page size when the store creates it. The
// mover's cost is mostly writing its blocks' pages to the WAL, two pwrite
// calls per page (frame header, page): 16 KiB pages took BenchmarkJournalMove
// from ~2.6 to ~2.3 cpu-µs per entry (200 patients), but they cost the
// serving process ~90 MB of resident memory under reads (scripts/bench-server
// sqlite, read phase +118 MB at 16 KiB, +25 MB at 4 KiB: the SQLite
// allocator's larger page buffers are not given back the same way), which
// broke issue 2's < 300 MB. 4 KiB, SQLite's default: ~0.1–0.4 cpu-µs more
// per entry (docs/benchmarks.md, session 7, "audit.db page size").
var journalPageSize = 4096

const (
	sqlBlockTail   = `SELECT last, hash, until FROM audit_block ORDER BY first DESC LIMIT 1`
	sqlBlockInsert = `INSERT INTO audit_block (first, last, until, hash, data) VALUES (?, ?, ?, ?, ?)`
	sqlKeyInsert   = `INSERT INTO audit_key (key, first, seqs) VALUES (?, ?, ?)`
)

// journal is the journal's file: one appending connection, a read pool.
type journal struct {
	path                 string
	mu                   sync.Mutex // one append at a time on conn
	wdb                  *sql.DB
	conn                 *sql.Conn
	tail                 *sql.Stmt
	insBlock             *sql.Stmt
	insKey               *sql.Stmt
	insKeys              *sql.Stmt // keyChunk rows at once (journal_spool.go)
	begin                *sql.Stmt
	commit               *sql.Stmt
	spool                *spool.Spool  // where appends go first (journal_spool.go)
	pending              chan struct{} // an append is waiting for the mover
	moverStop, moverDone chan struct{}
	rdb                  *sql.DB
	ckpt                 *checkpointer
	blockBufs            [][]byte // the last batch's block buffers, reused (writeBatch, under mu)
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
	// a new file's page size (an existing one keeps its own): set before
	// the file is switched to WAL, which writes its first page
	if _, err = j.conn.ExecContext(ctx, "PRAGMA page_size("+strconv.Itoa(journalPageSize)+")"); err != nil {
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
	if j.tail, err = j.conn.PrepareContext(ctx, sqlBlockTail); err != nil {
		return j, err
	}
	if j.insBlock, err = j.conn.PrepareContext(ctx, sqlBlockInsert); err != nil {
		return j, err
	}
	if j.insKey, err = j.conn.PrepareContext(ctx, sqlKeyInsert); err != nil {
		return j, err
	}
	many := sqlKeyInsert + strings.Repeat(", (?, ?, ?)", keyChunk-1)
	if j.insKeys, err = j.conn.PrepareContext(ctx, many); err != nil {
		return j, err
	}
	if j.begin, err = j.conn.PrepareContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return j, err
	}
	if j.commit, err = j.conn.PrepareContext(ctx, "COMMIT"); err != nil {
		return j, err
	}
	if err = j.convert(ctx, filepath.Join(dir, FileName)); err != nil {
		return j, err
	}
	if err = fsyncWAL(j.path + "-wal"); err != nil {
		return j, err
	}
	syncDir(j.path)
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

// convert takes into blocks, once, the journal an earlier version kept as
// one row per entry (audit_entry, seq and hash unchanged): audit.db's own
// table (sessions 5–6), dropped in the same transaction once every row is in
// the blocks, else, when the journal is still empty, the records' file's
// (migration 0004, before the journal had a file of its own), left as it was.
func (j *journal) convert(ctx context.Context, records string) (err error) {
	if _, err = j.conn.ExecContext(ctx, "ATTACH DATABASE ? AS old", records); err != nil {
		return err
	}
	defer func() {
		if _, derr := j.conn.ExecContext(context.Background(), "DETACH DATABASE old"); err == nil {
			err = derr
		}
	}()
	if _, err = j.begin.ExecContext(ctx); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			j.conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var n int
	if err = j.conn.QueryRowContext(ctx, `SELECT count(*) FROM main.sqlite_master WHERE name = 'audit_entry'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		// rows past the blocks' tail too: a process of an earlier version,
		// still running after this one converted, moves into its table
		complete, err := j.copyRows(ctx, "main.audit_entry", false)
		if err != nil {
			return err
		}
		if complete {
			if _, err = j.conn.ExecContext(ctx, `DROP TABLE main.audit_entry`); err != nil {
				return err
			}
		}
	}
	// migration 0004 created old.audit_entry: the records' file is migrated first
	if _, err = j.copyRows(ctx, "old.audit_entry", true); err != nil {
		return err
	}
	_, err = j.commit.ExecContext(ctx)
	return err
}

// copyRows writes the rows of an audit_entry table that follow the blocks'
// tail as blocks (inside convert's transaction); with whenEmpty, only into an
// empty journal. It stops at a row that would leave a gap, never written, and
// then says the table is not complete.
func (j *journal) copyRows(ctx context.Context, table string, whenEmpty bool) (complete bool, err error) {
	seq, _, until, err := j.tailRow(ctx)
	if err != nil || (whenEmpty && seq > 0) {
		return err == nil, err
	}
	for {
		rows, err := j.conn.QueryContext(ctx, `SELECT seq, time, patient, agent, action, body, hash FROM `+table+
			` WHERE seq > ? ORDER BY seq LIMIT 5000`, seq)
		if err != nil {
			return false, err
		}
		var batch []dsn.AuditEntry
		for rows.Next() {
			e, err := sqlstore.ScanAuditEntry(rows)
			if err != nil {
				rows.Close()
				return false, err
			}
			if e.Seq != seq+1+int64(len(batch)) {
				break // a gap
			}
			batch = append(batch, e)
		}
		if err := rows.Close(); err != nil {
			return false, err
		}
		if len(batch) > 0 {
			if until, err = j.writeBatch(ctx, batch, until); err != nil {
				return false, err
			}
			seq = batch[len(batch)-1].Seq
		}
		if len(batch) < 5000 {
			var left int
			err := j.conn.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE seq > ?`, seq).Scan(&left)
			return err == nil && left == 0, err
		}
	}
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
	for _, st := range []*sql.Stmt{j.tail, j.insBlock, j.insKey, j.insKeys, j.begin, j.commit} {
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

// SyncAudit fsyncs the spool (contract: dsn.Journal), which holds every entry
// not yet moved; audit.db's WAL is fsynced before the spool is emptied
// (journal_spool.go, move). A failed fsync is final (spool.Sync), for the
// reason durable.go gives: every later SyncAudit and AppendAudit fails too.
func (s *Store) SyncAudit(ctx context.Context) error {
	if err := s.journal.spool.Sync(); err != nil {
		return dsn.Wrap("sqlite.SyncAudit", dsn.KindInternal, err)
	}
	return nil
}
