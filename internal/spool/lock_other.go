//go:build !unix

package spool

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

// mapWaiters: no shared counter without mmap.
func mapWaiters(string) *int64 { return nil }
