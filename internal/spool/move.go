package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"dsn"
)

// ErrGap: the records read do not follow the journal's tail (another
// process emptied the spool while they were read); the mover starts over from
// the spool's header.
var ErrGap = errors.New("journal spool: records do not follow the journal's tail")

// Insert writes a batch of whole records of generation gen, spanning the
// spool's bytes [from, to), into the journal's database (one transaction),
// skipping what another process already moved. It returns the offset the
// mover goes on from: to, or where the database says the moves of gen
// reached when that is elsewhere (PostgreSQL keeps it there; a record
// boundary). ErrGap makes the mover start over from the header. batch's
// Body and Hash share the mover's buffer, reused once Insert returns: an
// Insert copies what it keeps.
type Insert func(ctx context.Context, gen, from, to int64, batch []dsn.AuditEntry) (next int64, err error)

// ChunkBytes bounds what one pass of the mover reads and decodes: a second
// of search entries (each lists every resource returned) is several MB, and
// holding it whole, decoded, raised the server's peak RSS by ~50 MB under
// `dsn bench --scenario search` (docs/benchmarks.md, session 6).
const ChunkBytes = 1 << 20

// Move copies the spool's new records into the database with insert, one
// chunk at a time. With empty set, and once the spool is past EmptyAt, it
// then takes the lock, moves what came meanwhile, calls durable (which makes
// what was inserted durable in the database) and empties the spool.
func (sp *Spool) Move(ctx context.Context, empty bool, insert Insert, durable func() error) error {
	sp.moveMu.Lock()
	defer sp.moveMu.Unlock()
	size, err := sp.moveOnce(ctx, insert)
	if err != nil || (!empty && size < EmptyAt) {
		return err
	}
	return sp.locked(func() error {
		size, err := sp.moveOnce(ctx, insert)
		if err != nil {
			return err
		}
		if left, err := sp.unmoved(size); err != nil || left {
			return err // Insert left records (PostgreSQL cannot link yet): keep them
		}
		if err := durable(); err != nil {
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

// unmoved tells whether whole records lie past the mover's offset; the
// caller holds the lock, so a record cut short there is a crash's, whose
// caller was never answered, and may go.
func (sp *Spool) unmoved(size int64) (bool, error) {
	gen, now, err := sp.header()
	if err != nil || gen != sp.moveGen || now != size || sp.moveOff < Header {
		return true, err // the mover started over: not known to be done
	}
	if sp.moveOff >= size {
		return false, nil
	}
	data, err := sp.readAt(sp.moveOff, size-sp.moveOff)
	if err != nil {
		return true, err
	}
	return walkRecords(data, func(dsn.AuditEntry) {}) > 0, nil
}

// MoveOffset is how far the mover has read the current generation (tests).
func (sp *Spool) MoveOffset() int64 {
	sp.moveMu.Lock()
	defer sp.moveMu.Unlock()
	return sp.moveOff
}

// moveOnce moves the records past the mover's offset; it returns the spool's size.
func (sp *Spool) moveOnce(ctx context.Context, insert Insert) (int64, error) {
	gen, size, err := sp.header()
	if err != nil {
		return 0, err
	}
	if gen != sp.moveGen || sp.moveOff < Header || sp.moveOff > size {
		sp.moveGen, sp.moveOff = gen, Header
	}
	for sp.moveOff < size {
		next, err := sp.moveChunk(ctx, gen, size, insert)
		if errors.Is(err, ErrGap) {
			// read while another process emptied the spool: start over
			sp.moveGen, sp.moveOff = 0, 0
			return size, nil
		}
		if err != nil {
			return 0, err
		}
		if next == sp.moveOff {
			break // a record cut short (a crash mid-append): stop there, as readers do
		}
		sp.moveOff = next
	}
	return size, nil
}

// moveChunk moves the whole records of at most ChunkBytes past the mover's
// offset (more for a single larger record) in one transaction and returns
// where the next chunk starts.
func (sp *Spool) moveChunk(ctx context.Context, gen, size int64, insert Insert) (int64, error) {
	from := sp.moveOff
	want := min(size-from, ChunkBytes)
	data, err := sp.readInto(sp.chunk(want), from)
	if err != nil {
		return 0, err
	}
	batch := sp.moveBatch[:0]
	defer func() {
		clear(batch) // no entry's bytes or strings kept until the next chunk
		sp.moveBatch = batch[:0]
	}()
	n := walkRecords(data, func(e dsn.AuditEntry) { batch = append(batch, e) })
	if n == 0 && len(data) >= 8 {
		// the first record is longer than the chunk: read it whole
		if need := 8 + int64(binary.LittleEndian.Uint32(data)); need > want && need <= size-from {
			if data, err = sp.readInto(sp.chunk(need), from); err != nil {
				return 0, err
			}
			n = walkRecords(data, func(e dsn.AuditEntry) { batch = append(batch, e) })
		}
	}
	if len(batch) == 0 {
		return from, nil
	}
	// the bytes read belong to gen only if it is still the spool's: the
	// spool is emptied under the lock before another generation's first
	// record, and an Insert that trusts offsets (PostgreSQL's) must never
	// take them for gen's
	if now, _, err := sp.header(); err != nil {
		return 0, err
	} else if now != gen {
		return 0, ErrGap
	}
	return insert(ctx, gen, from, from+int64(n), batch)
}

// chunk is the mover's buffer, n bytes long: the one of the last chunk
// when it is large enough (ChunkBytes, but for a longer single record).
func (sp *Spool) chunk(n int64) []byte {
	if int64(cap(sp.moveBuf)) < n {
		sp.moveBuf = make([]byte, n)
	}
	return sp.moveBuf[:n]
}

// Mover runs an adapter's mover goroutine until stop is closed: it wakes
// every tick and lets go of the flock (Release: a waiting process is never
// held up longer than a tick), and calls move when every has passed since the
// last move and something was appended since (pending; appenders send to it
// without blocking).
func (sp *Spool) Mover(stop, pending <-chan struct{}, tick, every time.Duration, move func()) {
	t := time.NewTicker(tick)
	defer t.Stop()
	lastMove := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		sp.Release()
		if time.Since(lastMove) < every-tick/2 {
			continue
		}
		select {
		case <-pending:
		default:
			continue // nothing appended since the last move
		}
		lastMove = time.Now()
		move()
	}
}
