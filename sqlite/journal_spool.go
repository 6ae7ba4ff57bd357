package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"dsn"
	"dsn/internal/spool"
)

// The journal's spool (docs/decisions/0007-journal-durability.md, "spool";
// the file's format and lock: internal/spool).
//
// An append used to be one SQLite transaction in audit.db: BEGIN IMMEDIATE,
// the tail query, one row and two index entries per entry, COMMIT writing the
// touched pages to the WAL. With reads answered as they come, batches held 2–4
// entries and each paid the transaction's fixed cost and its scattered index
// pages: ~45 µs of CPU per read, the largest part of the access control's
// overhead (BenchmarkAccessOverhead, docs/benchmarks.md).
//
// Now an append is one write(2) of framed records to a plain file, audit.spool,
// numbered and linked under its flock (the same promise as before: they
// survive a crash of this process; SyncAudit fsyncs the file for the strict
// ones). A goroutine moves them into audit.db every spoolEvery, hundreds per
// transaction, where searches, scans and `dsn audit verify` find them; every
// read of the journal first moves what is left, so a reader sees every entry
// appended before its call. The spool is emptied only after its records are in
// audit.db and audit.db's WAL is fsynced. Another process (dsn token, dsn
// export) appends through the same protocol.

const (
	spoolName = "audit.spool" // beside JournalFileName
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
	// journalCkptEvery spaces the checkpoints of audit.db: each copies the
	// pages that the moves since the last one changed, and the leaves of the
	// (patient, seq) index are scattered, each changed again by the next
	// moves; once per journalCkptEvery copies each of them once. The WAL
	// meanwhile holds a few MB (walFrameLimit still bounds it).
	journalCkptEvery = 5 * time.Second
)

// move copies the spool's new records into audit.db (entries another process
// already moved are skipped by seq); with empty set, and once the spool is past
// spool.EmptyAt, it fsyncs audit.db's WAL and empties the spool.
func (j *journal) move(ctx context.Context, empty bool) error {
	return j.spool.Move(ctx, empty, j.insert, func() error { return fsyncWAL(j.path + "-wal") })
}

// insert writes entries into audit.db in one transaction, skipping those
// already there (moved by another process): spool.Insert. The journal stays
// without gaps: records that do not follow its tail are refused (spool.ErrGap),
// never written.
func (j *journal) insert(ctx context.Context, _, _, to int64, batch []dsn.AuditEntry) (next int64, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ckpt.full.Load() {
		if left, _, err := checkpoint(ctx, j.conn); err == nil && left == 0 {
			j.ckpt.full.Store(false)
		}
	}
	if _, err := j.begin.ExecContext(ctx); err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			j.conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	max, _, until, err := j.tailRow(ctx)
	if err != nil {
		return 0, err
	}
	for len(batch) > 0 && batch[0].Seq <= max {
		batch = batch[1:] // moved already by another process
	}
	for i := range batch {
		if batch[i].Seq != max+1+int64(i) {
			return 0, spool.ErrGap
		}
	}
	if _, err := j.writeBatch(ctx, batch, until); err != nil {
		return 0, err
	}
	_, err = j.commit.ExecContext(ctx)
	return to, err
}

// tailRow reads the journal's last block: its last seq and hash, and the
// latest entry time so far (zeros when the journal is empty).
func (j *journal) tailRow(ctx context.Context) (seq int64, hash []byte, until int64, err error) {
	err = j.tail.QueryRowContext(ctx).Scan(&seq, &hash, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, 0, nil
	}
	return seq, hash, until, err
}

// keyChunk is how many audit_key rows one multi-row INSERT writes.
const keyChunk = 32

// writeBatch writes batch (consecutive seqs after the journal's tail) as
// blocks and audit_key rows, in the caller's transaction; until is the tail's.
// It returns the new tail's until.
func (j *journal) writeBatch(ctx context.Context, batch []dsn.AuditEntry, until int64) (int64, error) {
	if len(batch) == 0 {
		return until, nil
	}
	blocks, ps := buildBlocks(batch, until, j.blockBufs)
	// the driver copies a bound blob (modernc.org/sqlite's bindBlob): the
	// blocks' buffers serve the next batch (the caller holds j.mu)
	j.blockBufs = j.blockBufs[:0]
	for _, b := range blocks {
		j.blockBufs = append(j.blockBufs, b.data)
	}
	for _, b := range blocks {
		if _, err := j.insBlock.ExecContext(ctx, b.first, b.last, b.until, b.hash, b.data); err != nil {
			return 0, err
		}
	}
	keys := ps.sortedKeys()
	args := make([]any, 0, 3*keyChunk)
	for len(keys) > 0 {
		n := min(len(keys), keyChunk)
		args = args[:0]
		for _, k := range keys[:n] {
			seqs := ps[k]
			args = append(args, k.kind+k.v, seqs[0], encodeSeqs(seqs))
		}
		st := j.insKeys
		if n < keyChunk {
			st = j.insKey
			for i := 0; i < n; i++ {
				if _, err := st.ExecContext(ctx, args[3*i:3*i+3]...); err != nil {
					return 0, err
				}
			}
		} else if _, err := st.ExecContext(ctx, args...); err != nil {
			return 0, err
		}
		keys = keys[n:]
	}
	return blocks[len(blocks)-1].until, nil
}

// dbTail reads audit.db's last entry (zero and nil when it is empty).
func (j *journal) dbTail() (seq int64, hash []byte, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	seq, hash, _, err = j.tailRow(context.Background())
	return seq, hash, err
}

// mover moves the spool into audit.db every spoolEvery while records come,
// and checkpoints audit.db after a move once journalCkptEvery has passed.
func (j *journal) mover() {
	defer close(j.moverDone)
	var lastCkpt time.Time
	j.spool.Mover(j.moverStop, j.pending, spoolTick, spoolEvery, func() {
		if err := j.move(context.Background(), false); err == nil && time.Since(lastCkpt) >= journalCkptEvery {
			j.ckpt.committed()
			lastCkpt = time.Now()
		}
	})
}
