package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"dsn"
)

// Durable pipelining (docs/decisions/0005-sqlite-durable-pipelining.md): the
// writer connection runs with synchronous=NORMAL, so COMMIT appends the batch to
// the WAL without fsync; the syncer goroutine then fsyncs the WAL while the
// writer already runs the next batch, and only after that fsync answers the
// batch's callers. An acknowledged write is therefore as durable as with
// synchronous=FULL. Checkpoints need nothing from us: with synchronous=NORMAL
// SQLite fsyncs the WAL before a checkpoint and the database file after it
// (sqlite.org/pragma.html#pragma_synchronous), so frames that a checkpoint
// copied, or a WAL reset overwrote, are already safe in the database file.

// committed is one batch whose COMMIT ran (or failed), waiting for the fsync
// that makes it durable before its callers are answered.
type committed struct {
	live     []*writeReq
	results  []error
	batchErr error
	needSync bool // the batch committed: its WAL frames must reach the disk first
}

// syncer answers batches in commit order. It takes every batch already waiting
// so that one fsync covers them all.
func (s *Store) syncer() {
	defer close(s.synced)
	for c := range s.acks {
		group := []committed{c}
	more:
		for {
			select {
			case c2, ok := <-s.acks:
				if !ok {
					break more
				}
				group = append(group, c2)
			default:
				break more
			}
		}
		s.answer(group)
	}
}

// answer fsyncs the WAL if a batch of group committed, then replies to every caller.
func (s *Store) answer(group []committed) {
	var err error
	for _, c := range group {
		if c.needSync {
			err = s.durable()
			break
		}
	}
	for _, c := range group {
		if err != nil && c.needSync && c.batchErr == nil {
			c.batchErr = err
		}
		reply(c.live, c.results, c.batchErr)
	}
}

// durable runs the WAL fsync. A failed fsync is final: after one, the kernel
// may have dropped the dirty pages and a retry could report success for data
// that never reached the disk, so every later write is refused too.
func (s *Store) durable() error {
	if p := s.syncErr.Load(); p != nil {
		return *p
	}
	if err := s.syncWAL(); err != nil {
		e := dsn.Wrap("sqlite.Write", dsn.KindInternal, fmt.Errorf("fsync WAL: %w", err))
		s.syncErr.Store(&e)
		return e
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
