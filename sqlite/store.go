// Package sqlite is the embedded storage adapter: the dsn.Store contract on
// SQLite (modernc.org/sqlite, pure Go) in WAL mode. One writer connection runs
// group commits with synchronous=NORMAL and a separate goroutine fsyncs the WAL
// before acknowledging them (durable.go); a pool of read connections serves reads.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"dsn"
	"dsn/internal/sqlstore"
)

// FileName is the database file inside the data directory.
const FileName = "dsn.db"

// Store is the SQLite implementation of dsn.Store.
type Store struct {
	wdb       *sql.DB              // exactly one connection: the writer
	wconn     *sql.Conn            // the writer connection, owned by the writer goroutine
	rdb       *sql.DB              // read pool
	wstmt     stmts                // prepared on the writer connection
	rstmt     stmts                // prepared on the read pool
	cache     stmtCache            // generated search SQL prepared on the read pool
	raw       *rawConn             // the writer connection's C handle for its hot INSERTs (rawstmt.go)
	rstmts    rawStmts             // prepared on raw
	inserts   map[string]*rawStmt  // n-row index and bulk INSERTs on raw (index.go, bulk.go)
	indexArgs []any                // insertIndex's argument buffer, reused by the writer goroutine
	held      held                 // PutAlls of a group commit merged into one (bulkmerge.go), writer goroutine only
	sideSt    map[string]*sql.Stmt // records and journal statements on the writer (records.go)
	queue     *sqlstore.Queue
	shut      atomic.Bool   // closed, for readers (no lock on the read path)
	done      chan struct{} // closed when the writer goroutine has drained the queue

	syncSem chan struct{}         // one token per WAL fsync in flight (maxSyncs)
	syncing sync.WaitGroup        // the fsyncs in flight, waited for by Close
	inSync  atomic.Int32          // batches committed whose fsync has not completed
	synced  chan struct{}         // poked when one of those fsyncs completes (write.go, extend)
	walPath string                // the WAL file fsynced before each acknowledgement
	syncWAL func() error          // fsyncWAL(walPath); tests count its calls
	syncErr atomic.Pointer[error] // the first failed fsync: every later write fails
	ckpt    *checkpointer         // background WAL checkpoints (checkpoint.go)
	journal *journal              // the access journal's own file (journal.go)
	rev     revSignal             // the revocation counter shared by the store's processes (revsignal_unix.go)

	exitAfter bool // CloseForExit: the writer's connection is checkpointed, not closed
}

var _ dsn.Store = (*Store)(nil)

// Open opens (creating if needed) the store in directory dir and applies the
// pending migrations.
func Open(ctx context.Context, dir string) (*Store, error) {
	const op = "sqlite.Open"
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	path := filepath.Join(dir, FileName)
	wdb, err := sql.Open("sqlite", dataSource(path, false))
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	s := &Store{wdb: wdb, queue: sqlstore.NewQueue(1024), done: make(chan struct{}),
		inserts: map[string]*rawStmt{}, sideSt: map[string]*sql.Stmt{}, syncSem: make(chan struct{}, maxSyncs), synced: make(chan struct{}, 1),
		walPath: path + "-wal"}
	s.syncWAL = func() error { return fsyncWAL(s.walPath) }
	if err := s.open(ctx, path); err != nil {
		s.closeDBs()
		return nil, &dsn.Error{Op: op, Kind: dsn.KindInternal, Msg: "impossible d'ouvrir la base SQLite " + path, Err: err}
	}
	if s.journal, err = openJournal(ctx, dir); err != nil {
		s.closeDBs()
		return nil, &dsn.Error{Op: op, Kind: dsn.KindInternal, Msg: "impossible d'ouvrir le journal des accès", Err: err}
	}
	if s.rev, err = openRevSignal(dir); err != nil {
		s.closeDBs()
		return nil, &dsn.Error{Op: op, Kind: dsn.KindInternal, Msg: "impossible d'ouvrir " + RevocationFile, Err: err}
	}
	go s.writer()
	return s, nil
}

func (s *Store) open(ctx context.Context, path string) error {
	var err error
	if s.wconn, err = s.wdb.Conn(ctx); err != nil {
		return err
	}
	if err := setWAL(ctx, s.wconn); err != nil {
		return err
	}
	if err := migrate(ctx, s.wconn); err != nil {
		return err
	}
	// the migrations committed without fsync (synchronous=NORMAL)
	if err := s.syncWAL(); err != nil {
		return fmt.Errorf("fsync WAL: %w", err)
	}
	syncDir(path)
	if err := s.wstmt.prepare(ctx, s.wconn, true); err != nil {
		return err
	}
	if s.raw, err = openRaw(ctx, s.wconn); err != nil {
		return err
	}
	if err := s.rstmts.prepare(s.raw); err != nil {
		return err
	}
	s.rdb, err = sql.Open("sqlite", dataSource(path, true))
	if err != nil {
		return err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	s.rdb.SetMaxOpenConns(n)
	s.rdb.SetMaxIdleConns(n)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)
	s.cache.db = s.rdb
	if err := s.rstmt.prepare(ctx, s.rdb, false); err != nil {
		return err
	}
	s.ckpt, err = startCheckpointer(path)
	return err
}

// writerCacheKiB is the writer connection's page cache (PRAGMA cache_size,
// negative: KiB); bulk writes raise it (bulksort.go).
const writerCacheKiB = 32 << 10

// dataSource builds the driver's connection string. synchronous=NORMAL: COMMIT
// does not fsync the WAL; the syncer does, before any caller is answered, so an
// acknowledged write still survives a power loss (durable.go,
// sqlite.org/pragma.html#pragma_synchronous). busy_timeout lets a second
// process (dsn migrate, dsn import) wait for the lock. WAL is set by setWAL.
func dataSource(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(OFF)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
		// No memory map (sqlite.org/mmap.html): in WAL mode a reader whose
		// snapshot moved since its last transaction — after ANY commit —
		// resets its cache and unmaps the whole file (pager.c,
		// pagerBeginReadTransaction), so under writes each read paid munmap
		// (a TLB shootdown across threads), mmap and a page fault per page:
		// reads by id and searches took ~2× the CPU they take with pread
		// while the access journal still committed in this file for every
		// request (docs/benchmarks.md, 2026-12-06 perf). The map only paid
		// off for large scans on a store nobody writes to.
		q.Add("_pragma", "mmap_size(0)")
	} else {
		// 32 MiB of page cache for the writer, which costs ~56 MB of RSS when
		// full: the Go SQLite's allocator (modernc.org/memory) rounds each
		// cache entry (a 4 KiB page plus SQLite's header) up to its 8 KiB
		// size class. 64 MiB made the full bench-server run peak at 283–301 MB,
		// over issue 2's 300 MB, for no measurable CPU per write
		// (docs/benchmarks.md, session 7 — the server's resident memory).
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", writerCacheKiB))
		// statement and savepoint journals in memory: no temp-file writes per statement
		q.Add("_pragma", "temp_store(MEMORY)")
		// after a checkpoint, truncate a WAL that grew past 64 MiB (bulk imports)
		q.Add("_pragma", "journal_size_limit(67108864)")
		// checkpoints run off the writer (checkpoint.go)
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// one pwrite per transaction's WAL frames instead of two per frame (walvfs.go)
		if registerWALVFS() {
			q.Add("vfs", walVFSName)
		}
	}
	return "file:" + path + "?" + q.Encode()
}

// setWAL switches the file to WAL, which lets readers run while the writer
// commits (sqlite.org/wal.html); the mode is persistent, so later connections
// inherit it. Switching needs an exclusive lock that SQLite may refuse at once
// (without waiting for busy_timeout) while another process opens the same new
// file, hence the retries.
func setWAL(ctx context.Context, c *sql.Conn) error {
	var err error
	for attempt := 1; attempt <= 50; attempt++ {
		var mode string
		if err = c.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err == nil {
			if mode != "wal" {
				return fmt.Errorf("journal_mode is %q, want wal", mode)
			}
			return nil
		}
		if !busy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 10 * time.Millisecond):
		}
	}
	return fmt.Errorf("journal_mode=WAL: %w", err)
}

// busy tells SQLITE_BUSY and SQLITE_LOCKED (sqlite.org/rescode.html) from other errors.
func busy(err error) bool {
	code, ok := resultCode(err)
	code &= 0xff // primary result code
	return ok && (code == 5 || code == 6)
}

// Close stops accepting writes, lets the queued ones commit, and closes the
// database. It is safe to call more than once.
func (s *Store) Close() error { return s.close(false) }

// CloseForExit is Close for a process that exits right after it (dsn
// import): the writer's connection is checkpointed into the database file
// and then left to the operating system instead of closed. Closing it frees
// the writer's page cache page by page — up to 256 MiB after a bulk import
// (bulksort.go), each 64 KiB region of the Go SQLite's allocator handed back
// with its own madvise(2) — which took 0.6–0.8 s of CPU after importing
// 1,000 synthetic people, ~10 % of the import and all of it after the last
// batch; the kernel reclaims the same memory in one sweep when the process
// exits (docs/decisions/0030-import-exit.md).
//
// Nothing acknowledged depends on it: every batch was fsynced in the WAL
// before it was acknowledged (durable.go), so a process that dies here is
// a crash SQLite recovers from. The TRUNCATE checkpoint copies the WAL into
// dsn.db, fsyncs it and empties the WAL (sqlite.org/pragma.html#pragma_wal_checkpoint),
// as the last connection's close would have, so the next open has nothing
// to replay; the -wal (empty) and -shm files stay. With busy_timeout 0 the
// checkpoint does not wait for another process (a running server): it
// copies what it can and leaves the rest to that process's checkpoints.
// After CloseForExit the store is closed as after Close. Until the process
// exits, that connection still counts as open to SQLite: the last Close of
// another store on the same file leaves the (empty) WAL in place.
func (s *Store) CloseForExit() error { return s.close(true) }

func (s *Store) close(exit bool) error {
	s.shut.Store(true)
	if !s.queue.Close() {
		return nil
	}
	<-s.done
	// Refresh the planner's statistics where they drifted, bounded in cost
	// (sqlite.org/lang_analyze.html#pragopt); a failure here loses nothing.
	s.wconn.ExecContext(context.Background(), "PRAGMA analysis_limit=400; PRAGMA optimize")
	s.exitAfter = exit
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	var errs []error
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.close())
	}
	if s.journal != nil {
		errs = append(errs, s.journal.close())
	}
	s.wstmt.close()
	s.rstmt.close()
	s.cache.close()
	for _, st := range s.inserts {
		st.close()
	}
	s.rstmts.close()
	s.raw.close()
	closeAll(s.sideSt)
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	switch {
	case s.exitAfter:
		errs = append(errs, s.checkpointForExit())
	default:
		if s.wconn != nil {
			errs = append(errs, s.wconn.Close())
		}
		errs = append(errs, s.wdb.Close())
	}
	for _, err := range errs {
		if err != nil {
			return dsn.Wrap("sqlite.Close", dsn.KindInternal, fmt.Errorf("close: %w", err))
		}
	}
	return nil
}

// checkpointForExit copies the WAL into the database file and empties it on
// the writer's connection, which CloseForExit then leaves open. A checkpoint
// that another process's readers keep from finishing is not an error: the
// frames it leaves are durable in the WAL.
func (s *Store) checkpointForExit() error {
	ctx := context.Background()
	if _, err := s.wconn.ExecContext(ctx, "PRAGMA busy_timeout=0"); err != nil {
		return err
	}
	var busy, log, done int64
	return s.wconn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done)
}

// errClosed is the error of every call on a closed store.
func errClosed(op string) error { return sqlstore.ErrClosed(op) }
