//go:build !unix

package spool

import "os"

// locked runs fn holding the spool's in-process lock. Without flock(2) the
// spool is not shared safely between processes: run one DSN process per data
// directory on these systems.
func (sp *Spool) locked(fn func() error) error {
	sp.lockMu.Lock()
	defer sp.lockMu.Unlock()
	return fn()
}

// keep is locked: there is no flock to keep.
func (sp *Spool) keep(fn func() error) error { return sp.locked(fn) }

// Release has no flock to let go.
func (sp *Spool) Release() {}

// openUsers: no shared counter without mmap, no removal without flock.
func openUsers(string) (*os.File, *int64, error) { return nil, nil, nil }

// CloseAndRemove is Close: without flock another process may hold the spool.
func (sp *Spool) CloseAndRemove() error { return sp.Close() }
