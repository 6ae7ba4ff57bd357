package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"dsn"
	"dsn/internal/sqlstore"
)

// Durable pipelining (docs/decisions/0005-sqlite-durable-pipelining.md): the
// writer connection runs with synchronous=NORMAL, so COMMIT appends the batch to
// the WAL without fsync; a goroutine then fsyncs the WAL while the writer
// already runs the next batch, and only after that fsync answers the batch's
// callers. An acknowledged write is therefore as durable as with
// synchronous=FULL. Checkpoints (run off the writer, checkpoint.go) need
// nothing from us: with synchronous=NORMAL SQLite fsyncs the WAL before a
// checkpoint and the database file after it
// (sqlite.org/pragma.html#pragma_synchronous), so frames that a checkpoint
// copied, or a WAL reset overwrote, are already safe in the database file.

// committed is one batch whose COMMIT ran (or failed), waiting for the fsync
// that makes it durable before its callers are answered.
type committed struct {
	live     []*sqlstore.Request
	results  []error
	batchErr error
	needSync bool // the batch committed: its WAL frames must reach the disk first
}

// maxSyncs bounds the WAL fsyncs in flight. Several may overlap: the kernel
// joins concurrent fsyncs of one file into fewer journal commits and device
// flushes, so on the test VM one goroutine reaches ~300 fsyncs/s and four
// ~7,800 (README.md).
const maxSyncs = 4

// acknowledge answers c's callers once an fsync that started after c's COMMIT
// has completed, in a goroutine of its own so that the writer goes on with the
// next batch. Acknowledgements may overtake one another: the WAL is written in
// commit order, so an fsync covering a batch covers every earlier one too.
func (s *Store) acknowledge(c committed) {
	if !c.needSync {
		sqlstore.Reply(c.live, c.results, c.batchErr)
		return
	}
	s.inSync.Add(1)
	s.syncSem <- struct{}{}
	s.syncing.Add(1)
	go func() {
		defer s.syncing.Done()
		err := s.durable()
		<-s.syncSem
		s.inSync.Add(-1)
		select {
		case s.synced <- struct{}{}:
		default:
		}
		if err != nil && c.batchErr == nil {
			c.batchErr = err
		}
		sqlstore.Reply(c.live, c.results, c.batchErr)
	}()
}

// durable runs the WAL fsync. A failed fsync is final: after one, the kernel
// may have dropped the dirty pages and a retry could report success for data
// that never reached the disk, so every later write is refused too — and so is
// a batch whose own fsync succeeded while a concurrent one failed (its frames
// follow the failed ones in the WAL, and recovery stops at the first bad frame).
func (s *Store) durable() error {
	if p := s.syncErr.Load(); p != nil {
		return *p
	}
	if err := s.syncWAL(); err != nil {
		e := dsn.Wrap("sqlite.Write", dsn.KindInternal, fmt.Errorf("fsync WAL: %w", err))
		s.syncErr.CompareAndSwap(nil, &e)
		return e
	}
	if p := s.syncErr.Load(); p != nil {
		return *p
	}
	return nil
}

// fsyncWAL flushes the WAL file to disk. It opens the file by name at each
// call: the WAL keeps its inode while SQLite reuses it from the start after a
// checkpoint or truncates it (journal_size_limit), and is deleted only when the
// last connection closes after a full, synced checkpoint, in which case there is
// nothing left to flush.
func fsyncWAL(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the directory entries of a new database and WAL durable. Best
// effort: some systems (Windows) cannot open a directory for sync.
func syncDir(path string) {
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
}
