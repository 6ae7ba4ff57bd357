// Package spool is the file half of the access journal's spool, shared by
// both store adapters (docs/decisions/0007-journal-durability.md, "spool";
// 0017 for PostgreSQL).
//
// An append is one write(2) of framed records to a plain file under an
// exclusive flock: once it returns the entries are in the operating system
// (they survive a crash of the process; Sync fsyncs the file for the strict
// ones). A mover of the adapter takes them into the journal's database in
// large transactions (Move), and every read of the journal first moves what is
// left, so a reader sees every entry appended before its call.
//
// The file: a 16-byte header (magic, generation) and records
// [u32 length][u32 CRC-32C][payload]. Records are only appended (pwrite at the
// end, under the lock). The spool is emptied (truncated to its header, the
// generation incremented) under the lock, only after its records are durable
// in the database, so no acknowledged entry is ever only in memory. A record
// cut short by a crash has a bad length or CRC: readers stop there, and the
// next appender, which holds the lock, cuts it off before writing (its caller
// was never answered).
//
// Other processes on the same machine append through the same protocol. An
// appender that numbers and links entries itself (SQLite) keeps the chain's
// tail between appends and trusts it only while the spool's generation and
// size are what it left; otherwise it reads the tail from the spool, or from
// the database when the spool is empty.
package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"dsn"
	"dsn/internal/sqlstore"
)

const (
	magic = "DSNSPOOL"
	// Header is the size of the file's header: an empty spool is this long.
	Header = 16
	// EmptyAt is the spool size past which Move empties it.
	EmptyAt = 8 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Spool is the append side of a spool file in one process, and its mover's
// progress.
type Spool struct {
	f      *os.File
	lockMu sync.Mutex // see locked (lock_unix.go)
	// held: this process holds the flock (kept between appends, keep);
	// fresh: it has held it since its last append, so the generation and
	// size are what that append left (no other process could write);
	// waiters: the count of processes waiting for the flock, mapped shared
	held, fresh bool
	users       *os.File // <spool>.wait, under a shared flock (lock_unix.go)
	waiters     *int64
	stateReads  int // header and size reads by appends (StateReads)
	// appender's view, valid while gen and size are as it left them
	gen, size int64
	tailSeq   int64
	tailHash  []byte
	known     bool
	// mover's progress in the current generation
	moveMu  sync.Mutex
	moveGen int64
	moveOff int64
	// the mover's chunk and its decoded entries, reused from one chunk to
	// the next (under moveMu): the entries' bodies share the chunk's bytes,
	// and no Insert keeps them past its return (SQLite copies them into
	// blocks, PostgreSQL's COPY sends them). A fresh 1 MiB per chunk was
	// zeroed and faulted in, then returned to the OS, every second.
	moveBuf   []byte
	moveBatch []dsn.AuditEntry
	buf       []byte
	failed    atomic.Pointer[error] // the first failed fsync (Sync)
}

// Open opens (creating) the spool file at path. A new file gets generation
// firstGen.
func Open(path string, firstGen int64) (*Spool, error) {
	users, waiters, err := openUsers(path)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if users != nil {
			users.Close()
		}
		return nil, err
	}
	sp := &Spool{f: f, users: users, waiters: waiters}
	err = sp.locked(func() error {
		st, err := f.Stat()
		if err != nil || st.Size() >= Header {
			return err
		}
		return sp.writeHeader(firstGen) // a new (or torn new) file
	})
	if err != nil {
		sp.Close()
		return nil, err
	}
	return sp, nil
}

// Close closes the files (the flocks go with them).
func (sp *Spool) Close() error {
	if sp.users != nil {
		sp.users.Close()
	}
	return sp.f.Close()
}

// Sync fsyncs the file: every record appended before the call is on disk.
// A failed fsync is final — the kernel may have dropped the pages it could not
// write, so a later fsync that succeeds would not mean they are on disk: this
// Sync and every later Sync and Append return its error.
func (sp *Spool) Sync() error {
	if p := sp.failed.Load(); p != nil {
		return *p
	}
	if err := sp.f.Sync(); err != nil {
		err = fmt.Errorf("fsync journal spool: %w", err)
		sp.failed.CompareAndSwap(nil, &err)
		return *sp.failed.Load()
	}
	return nil
}

// Size is the file's size.
func (sp *Spool) Size() (int64, error) {
	st, err := sp.f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// StateReads counts the header and size reads appends made (tests: an
// appender alone keeps the lock and trusts what it left).
func (sp *Spool) StateReads() int {
	sp.lockMu.Lock()
	defer sp.lockMu.Unlock()
	return sp.stateReads
}

func (sp *Spool) writeHeader(gen int64) error {
	var h [Header]byte
	copy(h[:], magic)
	binary.LittleEndian.PutUint64(h[8:], uint64(gen))
	if err := sp.f.Truncate(Header); err != nil {
		return err
	}
	_, err := sp.f.WriteAt(h[:], 0)
	return err
}

// header reads the generation and size without the lock.
func (sp *Spool) header() (gen, size int64, err error) {
	var h [Header]byte
	if _, err = sp.f.ReadAt(h[:], 0); err != nil {
		return 0, 0, fmt.Errorf("spool header: %w", err)
	}
	if string(h[:8]) != magic {
		return 0, 0, errors.New("spool header: not a DSN journal spool")
	}
	size, err = sp.Size()
	return int64(binary.LittleEndian.Uint64(h[8:])), size, err
}

// state reads the generation and size; the caller holds the lock.
func (sp *Spool) state() (gen, size int64, err error) {
	sp.stateReads++
	return sp.header()
}

// Append writes entries, framed, in one write at the spool's end under the
// lock. With link set it first numbers and links them after the chain's
// tail: the last record of the spool, or dbTail's when the spool holds none.
// With link nil they are written as given (numbered later, by the mover).
func (sp *Spool) Append(entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry),
	dbTail func() (int64, []byte, error)) error {
	if p := sp.failed.Load(); p != nil {
		return *p
	}
	return sp.keep(func() error {
		gen, size := sp.gen, sp.size
		if !sp.known || !sp.fresh {
			var err error
			if gen, size, err = sp.state(); err != nil {
				return err
			}
			if !sp.known || gen != sp.gen || size != sp.size {
				if size, err = sp.reloadTail(size, link != nil, dbTail); err != nil {
					return err
				}
			}
		}
		buf := sp.buf[:0]
		seq, prev := sp.tailSeq, sp.tailHash
		if link != nil {
			seq, prev = sqlstore.ChainAudit(seq, prev, entries, link,
				func(e *dsn.AuditEntry) { buf = AppendRecord(buf, e) })
		} else {
			for i := range entries {
				buf = AppendRecord(buf, &entries[i])
			}
		}
		sp.buf = buf
		if _, err := sp.f.WriteAt(buf, size); err != nil {
			sp.known = false
			return fmt.Errorf("spool write: %w", err)
		}
		sp.gen, sp.size, sp.tailSeq, sp.tailHash, sp.known = gen, size+int64(len(buf)), seq, prev, true
		sp.fresh = sp.held
		return nil
	})
}

// reloadTail finds the spool's usable size after another process wrote (or
// at the first append): a record cut short by a crash is cut off (the lock
// is held). With chain set it also finds the chain's tail: the last whole
// record of the spool, else dbTail's.
func (sp *Spool) reloadTail(size int64, chain bool, dbTail func() (int64, []byte, error)) (int64, error) {
	data, err := sp.readAt(Header, size-Header)
	if err != nil {
		return 0, err
	}
	var last *dsn.AuditEntry
	n := walkRecords(data, func(e dsn.AuditEntry) { last = &e })
	if end := Header + int64(n); end < size {
		if err := sp.f.Truncate(end); err != nil {
			return 0, err
		}
		size = end
	}
	switch {
	case !chain:
	case last != nil:
		// a copy: last.Hash shares the whole spool's bytes read above
		sp.tailSeq, sp.tailHash = last.Seq, append([]byte(nil), last.Hash...)
	default:
		if sp.tailSeq, sp.tailHash, err = dbTail(); err != nil {
			return 0, err
		}
	}
	return size, nil
}

// AppendRecord frames one entry.
func AppendRecord(buf []byte, e *dsn.AuditEntry) []byte {
	start := len(buf)
	buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	buf = binary.AppendVarint(buf, e.Seq)
	buf = binary.AppendVarint(buf, sqlstore.Micros(e.Time))
	for _, s := range [][]byte{[]byte(e.Patient), []byte(e.Agent), []byte(e.Action), e.Body, e.Hash} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	payload := buf[start+8:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, castagnoli))
	return buf
}

// walkRecords calls fn for each whole record of data, in order, and returns
// the bytes they span: it stops at the first record cut short or damaged.
func walkRecords(data []byte, fn func(dsn.AuditEntry)) int {
	off := 0
	var prev dsn.AuditEntry
	for len(data)-off >= 8 {
		n := int(binary.LittleEndian.Uint32(data[off:]))
		if n > len(data)-off-8 {
			break
		}
		payload := data[off+8 : off+8+n]
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(data[off+4:]) {
			break
		}
		e, ok := decodeRecord(payload, &prev)
		if !ok {
			break
		}
		fn(e)
		prev = e
		off += 8 + n
	}
	return off
}

// decodeRecord reads one record's payload. Its patient, agent and action
// strings are prev's when their bytes are the same: consecutive entries
// mostly share an agent and an action (and a patient, for a record being
// read), and these strings were three of the mover's allocations per entry.
func decodeRecord(p []byte, prev *dsn.AuditEntry) (e dsn.AuditEntry, ok bool) {
	var n int
	if e.Seq, n = binary.Varint(p); n <= 0 {
		return e, false
	}
	p = p[n:]
	us, n := binary.Varint(p)
	if n <= 0 {
		return e, false
	}
	p, e.Time = p[n:], sqlstore.FromMicros(us)
	var fields [5][]byte
	for i := range fields {
		l, n := binary.Uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return e, false
		}
		fields[i], p = p[n:n+int(l)], p[n+int(l):]
	}
	e.Patient = sameString(fields[0], prev.Patient)
	e.Agent = sameString(fields[1], prev.Agent)
	e.Action = sameString(fields[2], prev.Action)
	// Body and Hash share p's array (copying each entry's ~400 bytes was the
	// mover's largest allocation): the mover's chunk is reused only once its
	// Insert has returned (moveChunk), a tail reload's bytes are not reused
	e.Body, e.Hash = fields[3], fields[4]
	if len(e.Hash) == 0 {
		e.Hash = nil // not linked yet (Append without link)
	}
	return e, true
}

// sameString is b as a string: was itself when it holds the same bytes (no
// allocation; the comparison does not convert b).
func sameString(b []byte, was string) string {
	if string(b) == was {
		return was
	}
	return string(b)
}

// readAt reads n bytes of the spool from off (fewer at its end).
func (sp *Spool) readAt(off, n int64) ([]byte, error) {
	return sp.readInto(make([]byte, n), off)
}

// readInto reads len(data) bytes of the spool from off into data (fewer at
// its end).
func (sp *Spool) readInto(data []byte, off int64) ([]byte, error) {
	m, err := sp.f.ReadAt(data, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return data[:m], nil
}
