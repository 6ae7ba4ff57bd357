//go:build unix

package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"unsafe"

	"dsn"
)

// RevocationFile is the file of the data directory whose first 8 bytes are
// the revocation counter shared by every process on the store (decision
// 0013): each maps it (MAP_SHARED), so an increment by one process is seen
// by the others' next atomic load — a memory read, no system call, on every
// request. SQLite databases are only shared on one machine
// (sqlite.org/useovernet.html), so one machine's memory is enough. The
// counter needs no durability: after a reboot every process starts by
// loading the revocations.
const RevocationFile = "revocations.seq"

// revSignal is the mapped counter (nil: the file could not be mapped; the
// revocations are then reloaded every access.RevocationTTL only).
type revSignal struct {
	seq *uint64
}

// openRevSignal maps the counter. The mapping stays for the life of the
// process (one page), so that a reader racing Close never touches an
// unmapped page.
func openRevSignal(dir string) (revSignal, error) {
	f, err := os.OpenFile(filepath.Join(dir, RevocationFile), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return revSignal{}, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return revSignal{}, err
	} else if fi.Size() < 8 {
		if err := f.Truncate(8); err != nil { // zeros; a concurrent opener truncating too is harmless
			return revSignal{}, err
		}
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, 8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return revSignal{}, err
	}
	return revSignal{seq: (*uint64)(unsafe.Pointer(&b[0]))}, nil // page-aligned: atomic operations are valid
}

// RevocationSeq is the shared counter (contract: dsn.RevocationSignal).
func (s *Store) RevocationSeq() uint64 {
	if s.rev.seq == nil {
		return 0
	}
	return atomic.LoadUint64(s.rev.seq)
}

// SignalRevocation increments the shared counter: every process's next
// RevocationSeq sees it (contract: dsn.RevocationSignal).
func (s *Store) SignalRevocation(ctx context.Context) error {
	if s.rev.seq == nil {
		return &dsn.Error{Op: "sqlite.SignalRevocation", Kind: dsn.KindUnavailable,
			Msg: "compteur de révocations indisponible", English: "revocation counter unavailable"}
	}
	atomic.AddUint64(s.rev.seq, 1)
	return nil
}

var _ dsn.RevocationSignal = (*Store)(nil)
