package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"time"

	"dsn"
	"dsn/internal/sqlstore"
)

// The journal's spool (docs/decisions/0007-journal-durability.md, "spool").
//
// An append used to be one SQLite transaction in audit.db: BEGIN IMMEDIATE,
// the tail query, one row and two index entries per entry, COMMIT writing the
// touched pages to the WAL. With reads answered as they come, batches held 2–4
// entries and each paid the transaction's fixed cost and its scattered index
// pages: ~45 µs of CPU per read, the largest part of the access control's
// overhead (BenchmarkAccessOverhead, docs/benchmarks.md).
//
// Now an append is one write(2) of framed records to a plain file, audit.spool,
// under an exclusive flock: once it returns the entries are in the operating
// system, the same promise as before (they survive a crash of this process;
// SyncAudit fsyncs the file for the strict ones). A goroutine moves them into
// audit.db every spoolEvery, hundreds per transaction, where searches, scans and
// `dsn audit verify` find them; every read of the journal first moves what is
// left, so a reader sees every entry appended before its call.
//
// The file: a 16-byte header (magic, generation) and records
// [u32 length][u32 CRC-32C][payload]. Records are only appended (pwrite at the
// end, under the lock). The spool is emptied (truncated to its header, the
// generation incremented) under the lock, only after its records are in audit.db
// and audit.db's WAL is fsynced, so no acknowledged entry is ever only in
// memory. A record cut short by a crash has a bad length or CRC: readers stop
// there, and the next appender, which holds the lock, cuts it off before
// writing (its caller was never answered).
//
// Another process (dsn token, dsn export) appends through the same protocol.
// An appender keeps the chain's tail between appends and trusts it only while
// the spool's generation and size are what it left; otherwise it reads the tail
// from the spool, or from audit.db when the spool is empty.

const (
	spoolName   = "audit.spool" // beside JournalFileName
	spoolMagic  = "DSNSPOOL"
	spoolHeader = 16
	// spoolEvery is how often the mover takes new records into audit.db.
	// Each move is one transaction whose cost is mostly per page, not per
	// entry: BEGIN, the tail, at COMMIT the WAL frames of every B-tree page
	// it changed — the table's right edge, but leaves scattered over the
	// (patient, seq) and (agent, seq) indexes — then a checkpoint copying
	// them. Fewer, larger moves change each page once for many entries: 20 ms
	// until session 6, then 200 ms, now 1 s (docs/benchmarks.md, session 6).
	// Readers of the journal never wait for it (catchUp moves first), and the
	// spool is as durable as audit.db.
	spoolEvery = time.Second
	// spoolTick is how often the mover wakes: it lets go of the spool's
	// flock (a waiting process is never held up longer) and moves once
	// spoolEvery has passed.
	spoolTick = 200 * time.Millisecond
	// spoolEmptyAt is the spool size past which the mover empties it.
	spoolEmptyAt = 8 << 20
	// journalCkptEvery spaces the checkpoints of audit.db: each copies the
	// pages that the moves since the last one changed, and the leaves of the
	// (patient, seq) index are scattered, each changed again by the next
	// moves; once per journalCkptEvery copies each of them once. The WAL
	// meanwhile holds a few MB (walFrameLimit still bounds it).
	journalCkptEvery = 5 * time.Second
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// spool is the append side of the journal in one process.
type spool struct {
	f      *os.File
	lockMu sync.Mutex // see locked (journal_lock_unix.go)
	// held: this process holds the flock (kept between appends, keep);
	// fresh: it has held it since its last append, so the generation and
	// size are what that append left (no other process could write);
	// waiters: the count of processes waiting for the flock, mapped shared
	held, fresh bool
	waiters     *int64
	stateReads  int // header and size reads by appends (tests)
	// appender's view, valid while gen and size are as it left them
	gen, size int64
	tailSeq   int64
	tailHash  []byte
	known     bool
	// mover's progress in the current generation
	moveMu  sync.Mutex
	moveGen int64
	moveOff int64
	buf     []byte
}

func openSpool(path string) (*spool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	sp := &spool{f: f, waiters: mapWaiters(path)}
	err = sp.locked(func() error {
		st, err := f.Stat()
		if err != nil || st.Size() >= spoolHeader {
			return err
		}
		return sp.writeHeader(1) // a new (or torn new) file
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	return sp, nil
}

func (sp *spool) writeHeader(gen int64) error {
	var h [spoolHeader]byte
	copy(h[:], spoolMagic)
	binary.LittleEndian.PutUint64(h[8:], uint64(gen))
	if err := sp.f.Truncate(spoolHeader); err != nil {
		return err
	}
	_, err := sp.f.WriteAt(h[:], 0)
	return err
}

// state reads the generation and size; the caller holds the lock.
func (sp *spool) state() (gen, size int64, err error) {
	sp.stateReads++
	var h [spoolHeader]byte
	if _, err = sp.f.ReadAt(h[:], 0); err != nil {
		return 0, 0, fmt.Errorf("spool header: %w", err)
	}
	if string(h[:8]) != spoolMagic {
		return 0, 0, errors.New("spool header: not a DSN journal spool")
	}
	st, err := sp.f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return int64(binary.LittleEndian.Uint64(h[8:])), st.Size(), nil
}

// append links entries after the tail and writes them in one write. tail
// reads audit.db's tail when the spool holds no record.
func (sp *spool) append(entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry),
	dbTail func() (int64, []byte, error)) error {
	return sp.keep(func() error {
		gen, size := sp.gen, sp.size
		if !sp.known || !sp.fresh {
			var err error
			if gen, size, err = sp.state(); err != nil {
				return err
			}
			if !sp.known || gen != sp.gen || size != sp.size {
				if size, err = sp.reloadTail(size, dbTail); err != nil {
					return err
				}
			}
		}
		buf := sp.buf[:0]
		seq, prev := sqlstore.ChainAudit(sp.tailSeq, sp.tailHash, entries, link,
			func(e *dsn.AuditEntry) { buf = appendRecord(buf, e) })
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

// reloadTail finds the chain's tail after another process wrote: the last
// whole record of the spool, else audit.db's tail. A record cut short by a
// crash is cut off (the lock is held). It returns the spool's usable size.
func (sp *spool) reloadTail(size int64, dbTail func() (int64, []byte, error)) (int64, error) {
	data := make([]byte, size-spoolHeader)
	if _, err := sp.f.ReadAt(data, spoolHeader); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	var last *dsn.AuditEntry
	n := walkRecords(data, func(e dsn.AuditEntry) { last = &e })
	if end := spoolHeader + int64(n); end < size {
		if err := sp.f.Truncate(end); err != nil {
			return 0, err
		}
		size = end
	}
	if last != nil {
		// a copy: last.Hash shares the whole spool's bytes read above
		sp.tailSeq, sp.tailHash = last.Seq, append([]byte(nil), last.Hash...)
		return size, nil
	}
	seq, hash, err := dbTail()
	if err != nil {
		return 0, err
	}
	sp.tailSeq, sp.tailHash = seq, hash
	return size, nil
}

// appendRecord frames one entry.
func appendRecord(buf []byte, e *dsn.AuditEntry) []byte {
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
	for len(data)-off >= 8 {
		n := int(binary.LittleEndian.Uint32(data[off:]))
		if n > len(data)-off-8 {
			break
		}
		payload := data[off+8 : off+8+n]
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(data[off+4:]) {
			break
		}
		e, ok := decodeRecord(payload)
		if !ok {
			break
		}
		fn(e)
		off += 8 + n
	}
	return off
}

func decodeRecord(p []byte) (e dsn.AuditEntry, ok bool) {
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
	e.Patient, e.Agent, e.Action = string(fields[0]), string(fields[1]), string(fields[2])
	// Body and Hash share p's array: the spool's bytes read for one move (or
	// one tail reload) are not reused, and copying each entry's ~400 bytes was
	// the mover's largest allocation
	e.Body, e.Hash = fields[3], fields[4]
	return e, true
}

// move copies the spool's new records into audit.db (one transaction; entries
// another process already moved are skipped by seq). With empty set, and once
// the spool is past spoolEmptyAt, it then takes the lock, moves what came
// meanwhile, fsyncs audit.db's WAL and empties the spool.
func (j *journal) move(ctx context.Context, empty bool) error {
	sp := j.spool
	sp.moveMu.Lock()
	defer sp.moveMu.Unlock()
	size, err := j.moveOnce(ctx)
	if err != nil || (!empty && size < spoolEmptyAt) {
		return err
	}
	return sp.locked(func() error {
		if _, err := j.moveOnce(ctx); err != nil {
			return err
		}
		if err := fsyncWAL(j.path + "-wal"); err != nil {
			return err
		}
		gen, _, err := sp.state()
		if err != nil {
			return err
		}
		sp.known = false
		return sp.writeHeader(gen + 1)
	})
}

// moveOnce moves the records past the mover's offset; it returns the spool's size.
func (j *journal) moveOnce(ctx context.Context) (int64, error) {
	sp := j.spool
	var h [spoolHeader]byte
	if _, err := sp.f.ReadAt(h[:], 0); err != nil {
		return 0, err
	}
	st, err := sp.f.Stat()
	if err != nil {
		return 0, err
	}
	gen, size := int64(binary.LittleEndian.Uint64(h[8:])), st.Size()
	if gen != sp.moveGen || sp.moveOff < spoolHeader || sp.moveOff > size {
		sp.moveGen, sp.moveOff = gen, spoolHeader
	}
	for sp.moveOff < size {
		n, err := j.moveChunk(ctx, size)
		if errors.Is(err, errSpoolGap) {
			// read while another process emptied the spool: start over
			sp.moveGen, sp.moveOff = 0, 0
			return size, nil
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			break // a record cut short (a crash mid-append): stop there, as readers do
		}
		sp.moveOff += int64(n)
	}
	return size, nil
}

// moveChunkBytes bounds what one pass of the mover reads and decodes: a
// second of search entries (each lists every resource returned) is several
// MB, and holding it whole, decoded, raised the server's peak RSS by ~50 MB
// under `dsn bench --scenario search` (docs/benchmarks.md, session 6).
const moveChunkBytes = 1 << 20

// moveChunk moves the whole records of at most moveChunkBytes past the
// mover's offset (more for a single larger record) in one transaction and
// returns the bytes they span.
func (j *journal) moveChunk(ctx context.Context, size int64) (int, error) {
	sp := j.spool
	want := min(size-sp.moveOff, moveChunkBytes)
	data, err := sp.readAt(sp.moveOff, want)
	if err != nil {
		return 0, err
	}
	var batch []dsn.AuditEntry
	n := walkRecords(data, func(e dsn.AuditEntry) { batch = append(batch, e) })
	if n == 0 && len(data) >= 8 {
		// the first record is longer than the chunk: read it whole
		if need := 8 + int64(binary.LittleEndian.Uint32(data)); need > want && need <= size-sp.moveOff {
			if data, err = sp.readAt(sp.moveOff, need); err != nil {
				return 0, err
			}
			n = walkRecords(data, func(e dsn.AuditEntry) { batch = append(batch, e) })
		}
	}
	if len(batch) > 0 {
		if err := j.insert(ctx, batch); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// readAt reads n bytes of the spool from off (fewer at its end).
func (sp *spool) readAt(off, n int64) ([]byte, error) {
	data := make([]byte, n)
	m, err := sp.f.ReadAt(data, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return data[:m], nil
}

// errSpoolGap: the records read do not follow audit.db's last entry.
var errSpoolGap = errors.New("journal spool: records do not follow the journal's tail")

// insert writes entries into audit.db in one transaction, skipping those
// already there (moved by another process). The journal stays without gaps:
// records that do not follow its tail are refused (errSpoolGap), never written.
func (j *journal) insert(ctx context.Context, batch []dsn.AuditEntry) (err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ckpt.full.Load() {
		if left, _, err := checkpoint(ctx, j.conn); err == nil && left == 0 {
			j.ckpt.full.Store(false)
		}
	}
	if _, err := j.begin.ExecContext(ctx); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			j.conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var max int64
	var h []byte
	if err := j.tail.QueryRowContext(ctx).Scan(&max, &h); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for len(batch) > 0 && batch[0].Seq <= max {
		batch = batch[1:] // moved already by another process
	}
	for i := range batch {
		if batch[i].Seq != max+1+int64(i) {
			return errSpoolGap
		}
	}
	if err := j.insertRows(ctx, batch); err != nil {
		return err
	}
	_, err = j.commit.ExecContext(ctx)
	return err
}

// insertChunk is how many entries one multi-row INSERT writes: one statement
// step per chunk instead of per entry (7 parameters each, far below SQLite's
// limit of 32,766).
const insertChunk = 32

// insertRows inserts entries in chunks of insertChunk, the rest one by one.
func (j *journal) insertRows(ctx context.Context, batch []dsn.AuditEntry) error {
	args := make([]any, 0, 7*insertChunk)
	for len(batch) >= insertChunk {
		args = args[:0]
		for i := range insertChunk {
			args = append(args, sqlstore.AuditArgs(&batch[i])...)
		}
		if _, err := j.insMany.ExecContext(ctx, args...); err != nil {
			return err
		}
		batch = batch[insertChunk:]
	}
	for i := range batch {
		if _, err := j.ins.ExecContext(ctx, sqlstore.AuditArgs(&batch[i])...); err != nil {
			return err
		}
	}
	return nil
}

// dbTail reads audit.db's last entry (zero and nil when it is empty).
func (j *journal) dbTail() (seq int64, hash []byte, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	err = j.tail.QueryRowContext(context.Background()).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	return seq, hash, err
}

// mover moves the spool into audit.db every spoolEvery while records come.
func (j *journal) mover() {
	defer close(j.moverDone)
	t := time.NewTicker(spoolTick)
	defer t.Stop()
	var lastCkpt time.Time
	lastMove := time.Now()
	for {
		select {
		case <-j.moverStop:
			return
		case <-t.C:
		}
		j.spool.release() // a waiting process is never held up longer than this
		if time.Since(lastMove) < spoolEvery-spoolTick/2 {
			continue
		}
		select {
		case <-j.pending:
		default:
			continue // nothing appended since the last move
		}
		lastMove = time.Now()
		if err := j.move(context.Background(), false); err == nil && time.Since(lastCkpt) >= journalCkptEvery {
			j.ckpt.committed()
			lastCkpt = time.Now()
		}
	}
}
