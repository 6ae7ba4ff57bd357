//go:build unix

package sqlite

import (
	"errors"
	"syscall"
)

// locked runs fn holding the spool's lock: an in-process mutex (flock is per
// open file, so goroutines sharing the file would not exclude each other) and
// an exclusive flock(2), which serialises appenders of other processes.
func (sp *spool) locked(fn func() error) error {
	sp.lockMu.Lock()
	defer sp.lockMu.Unlock()
	fd := int(sp.f.Fd())
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
	defer syscall.Flock(fd, syscall.LOCK_UN)
	return fn()
}
