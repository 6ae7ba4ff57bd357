//go:build !unix

package sqlite

// locked runs fn holding the spool's in-process lock. Without flock(2) the
// spool is not shared safely between processes: run one DSN process per data
// directory on these systems.
func (sp *spool) locked(fn func() error) error {
	sp.lockMu.Lock()
	defer sp.lockMu.Unlock()
	return fn()
}

// keep is locked: there is no flock to keep.
func (sp *spool) keep(fn func() error) error { return sp.locked(fn) }

// release has no flock to let go.
func (sp *spool) release() {}

// mapWaiters: no shared counter without mmap.
func mapWaiters(string) *int64 { return nil }
