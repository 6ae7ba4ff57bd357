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
