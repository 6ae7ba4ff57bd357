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

// openUsers opens <spool>.wait and takes a shared flock on it for the life
// of the Spool: every process holding the spool open holds one, so that a
// process closing alone may remove both files (CloseAndRemove). It also maps
// the waiters' counter, the file's 8 bytes.
func openUsers(spoolPath string) (*os.File, *int64, error) {
	name := spoolPath + ".wait"
	for {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, nil, err
		}
		if err := flockWait(int(f.Fd()), syscall.LOCK_SH); err != nil {
			f.Close()
			return nil, nil, err
		}
		// a process closing alone may have removed the files while this
		// one waited for the flock: then open the new ones
		st, err1 := f.Stat()
		now, err2 := os.Stat(name)
		if err1 == nil && err2 == nil && os.SameFile(st, now) {
			// mapped through a descriptor of its own: a mapping keeps its
			// open file alive, and with it any flock taken through it
			return f, mapWaiters(name), nil
		}
		f.Close()
	}
}

// mapWaiters maps the waiters' counter (nil: not mapped; then no process
// keeps the flock between appends, the protocol before session 6).
func mapWaiters(name string) *int64 {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
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

// CloseAndRemove closes the spool and, when it is empty and no other process
// holds it open, removes its two files: processes that used the spool for a
// while (dsn token, tests) leave nothing behind. The caller moved and emptied
// it first (Move with empty) and appends no more.
func (sp *Spool) CloseAndRemove() error {
	if sp.users != nil && syscall.Flock(int(sp.users.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
		// no other process has the spool open, nor can open it before the
		// flock goes (openUsers waits for a shared one, then sees the removal)
		if size, err := sp.Size(); err == nil && size == Header {
			os.Remove(sp.f.Name())
			os.Remove(sp.users.Name())
		}
	}
	return sp.Close()
}

// flockWait takes a flock, waiting, retried when a signal interrupts it.
func flockWait(fd, how int) error {
	for {
		if err := syscall.Flock(fd, how); !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
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
		err = flockWait(fd, syscall.LOCK_EX)
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
