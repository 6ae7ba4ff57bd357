//go:build unix

package spool

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// The spool's lock: an in-process mutex (flock is per open file, so
// goroutines sharing the file would not exclude each other) and an exclusive
// flock(2), which serialises appenders of other processes.
//
// An appender keeps the flock between its appends (keep) while no other
// process waits for it: its next append is then one write(2), without the
// lock and unlock and without re-reading the header and the size (nobody
// else could write) — ~3 µs of a read's journal (docs/benchmarks.md, session
// 6). A process about to wait for the flock first increments the counter of
// waiters in the file <spool>.wait, mapped MAP_SHARED by every process (as
// revocations.seq, decision 0013): the holder sees it after its next append,
// or at the mover's next tick if it appends no more, and lets go.

// mapWaiters maps the waiters' counter (nil: not mapped; then no process
// keeps the flock between appends, the protocol before session 6).
func mapWaiters(spoolPath string) *int64 {
	f, err := os.OpenFile(spoolPath+".wait", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil
	} else if st.Size() < 8 {
		if f.Truncate(8) != nil {
			return nil
		}
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, 8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	// page-aligned, so atomic operations are valid; the mapping stays for the
	// life of the process (one page)
	return (*int64)(unsafe.Pointer(&b[0]))
}

// locked runs fn holding the lock; the flock is released after fn unless
// this process kept it from an earlier append.
func (sp *Spool) locked(fn func() error) error {
	sp.lockMu.Lock()
	defer sp.lockMu.Unlock()
	kept := sp.held
	if err := sp.flock(); err != nil {
		return err
	}
	err := fn()
	if !kept || sp.othersWait() {
		sp.unflock()
	}
	return err
}

// keep runs fn (an append) holding the lock and keeps the flock afterwards
// unless another process waits for it or fn failed.
func (sp *Spool) keep(fn func() error) error {
	sp.lockMu.Lock()
	defer sp.lockMu.Unlock()
	if err := sp.flock(); err != nil {
		return err
	}
	err := fn()
	if err != nil || sp.waiters == nil || sp.othersWait() {
		sp.unflock()
	}
	return err
}

// Release lets the flock go if this process kept it: the mover calls it
// at each of its ticks, so that a waiter is never held up longer than that by an
// appender that stopped appending.
func (sp *Spool) Release() {
	sp.lockMu.Lock()
	defer sp.lockMu.Unlock()
	if sp.held {
		sp.unflock()
	}
}

func (sp *Spool) othersWait() bool {
	return sp.waiters != nil && atomic.LoadInt64(sp.waiters) > 0
}

// flock takes the exclusive flock unless held (the caller holds lockMu). When
// another process has it, this one counts itself among the waiters while it
// waits, so that the holder lets go.
func (sp *Spool) flock() error {
	if sp.held {
		return nil
	}
	fd := int(sp.f.Fd())
	err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		if sp.waiters != nil {
			atomic.AddInt64(sp.waiters, 1)
			defer atomic.AddInt64(sp.waiters, -1)
		}
		for {
			if err = syscall.Flock(fd, syscall.LOCK_EX); !errors.Is(err, syscall.EINTR) {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	sp.held, sp.fresh = true, false
	return nil
}

// unflock releases the flock (the caller holds lockMu).
func (sp *Spool) unflock() {
	syscall.Flock(int(sp.f.Fd()), syscall.LOCK_UN)
	sp.held, sp.fresh = false, false
}
