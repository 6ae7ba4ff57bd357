package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"dsn"
)

// Signer signs and verifies checkpoints (access.Service: the server's ES256 key).
type Signer interface {
	Sign(ctx context.Context, payload []byte) (kid string, sig []byte, err error)
	VerifySignature(ctx context.Context, kid string, payload, sig []byte) bool
}

// SyncMode is the durability of the entries of non-modifying interactions
// (docs/decisions/0007-journal-durability.md).
type SyncMode string

const (
	// SyncGrouped (the default): a read or a search waits until its entries
	// are written out of the process (they survive a crash of DSN); a
	// background sync makes them durable within MaxSyncDelay. Every other
	// entry (write, refusal, export, break-the-glass, token) waits for the sync.
	SyncGrouped SyncMode = "grouped"
	// SyncStrict: every entry waits for the sync (an fsync) before the answer.
	SyncStrict SyncMode = "strict"
)

// ParseSyncMode reads the value of dsn serve --audit-sync.
func ParseSyncMode(s string) (SyncMode, error) {
	switch m := SyncMode(s); m {
	case SyncGrouped, SyncStrict:
		return m, nil
	case "":
		return SyncGrouped, nil
	}
	return "", dsn.Errorf("audit.ParseSyncMode", dsn.KindInvalid, "--audit-sync %q: attendu strict ou grouped", s)
}

// MaxSyncDelay bounds how long a written entry may wait for its sync.
const MaxSyncDelay = 20 * time.Millisecond

// Options configures a Log.
type Options struct {
	Journal dsn.Journal // required
	Records dsn.Records // where checkpoints are kept (required for checkpoints)
	Signer  Signer      // signs checkpoints (none without it)
	Logger  *slog.Logger
	// CheckpointEvery is the period of signed checkpoints (default 1 minute).
	CheckpointEvery time.Duration
	// Sync is the durability of reads' entries (default SyncGrouped).
	Sync SyncMode
}

// Log appends entries to the journal: one appender goroutine joins the
// entries of concurrent requests into one append (one transaction), and one
// syncer makes the appended entries durable (one fsync for every entry
// written before it started), at once when a strict entry waits, else within
// MaxSyncDelay. It signs checkpoints of the chain periodically.
type Log struct {
	j      dsn.Journal
	rs     dsn.Records
	signer Signer
	log    *slog.Logger
	strict bool // every entry waits for the sync (SyncStrict)
	reqs   chan *appendReq
	rows   []dsn.AuditEntry // the appender's batch, reused (append)
	stop   chan struct{}    // closed by Close: no new requests
	once   sync.Once
	wg     sync.WaitGroup // the appender and the checkpointer

	kick     chan struct{} // the appender wrote: the syncer has work
	syncStop chan struct{} // closed once the appender has drained: last sync
	syncDone chan struct{}

	mu         sync.Mutex
	waiting    []chan error // strict requests written, waiting for a sync
	dirty      bool         // entries written since the last sync started
	dirtySince time.Time
	failed     error // a failed sync: the journal refuses every later entry
}

type appendReq struct {
	rows   []dsn.AuditEntry // in bufs
	strict bool
	done   chan error
	bufs   rowBufs // the stored entries' bodies and slices, kept with the request
}

// maxBatch bounds the entries of one append.
const maxBatch = 2048

// maxYields bounds how many times the appender lets other goroutines run
// before it writes a batch that keeps growing.
const maxYields = 8

// Open starts the log's appender, syncer and checkpointer; Close stops them.
func Open(o Options) *Log {
	l := &Log{j: o.Journal, rs: o.Records, signer: o.Signer, log: o.Logger, strict: o.Sync == SyncStrict,
		reqs: make(chan *appendReq, 4096), stop: make(chan struct{}),
		kick: make(chan struct{}, 1), syncStop: make(chan struct{}), syncDone: make(chan struct{})}
	if l.log == nil {
		l.log = slog.Default()
	}
	l.wg.Add(1)
	go l.appender()
	go l.syncer()
	if l.signer != nil && l.rs != nil {
		every := o.CheckpointEvery
		if every <= 0 {
			every = time.Minute
		}
		l.wg.Add(1)
		go l.checkpointer(every)
	}
	return l
}

// Record appends entries and returns once they are written (reads and
// searches under SyncGrouped) or durable (everything else), or with an error:
// then the caller must not release the information (no entry, no data).
func (l *Log) Record(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	req := reqPool.Get().(*appendReq)
	rs, err := req.bufs.rows(entries)
	if err != nil {
		putReq(req)
		return dsn.Wrap("audit.Record", dsn.KindInternal, err)
	}
	req.rows, req.strict = rs, l.strict
	for i := range entries {
		req.strict = req.strict || entries[i].Strict()
	}
	select {
	case l.reqs <- req:
	case <-l.stop:
		putReq(req)
		return &dsn.Error{Op: "audit.Record", Kind: dsn.KindUnavailable, Msg: "journal fermé", English: "journal closed"}
	case <-ctx.Done():
		putReq(req)
		return dsn.Wrap("audit.Record", dsn.KindUnavailable, ctx.Err())
	}
	// Once queued the entry is written even if the caller leaves.
	err = <-req.done
	putReq(req) // answered: neither the appender nor the syncer holds it now
	return err
}

// reqPool keeps answered appendReqs with their done channel (empty again once
// its one answer is received) and the buffers of their rows: the appender
// has written the rows out and keeps none of them (append), nor does the
// store (dsn.Journal.AppendAudit writes the bodies to its spool), so the next
// request builds its entries in the same bytes — five allocations and the
// body's bytes fewer per request.
var reqPool = sync.Pool{New: func() any { return &appendReq{done: make(chan error, 1)} }}

func putReq(r *appendReq) {
	r.rows = nil
	r.bufs.reset()
	reqPool.Put(r)
}

// Strict tells whether e must be durable before the answer leaves even under
// SyncGrouped: everything but a read or a search that was allowed.
func (e *Entry) Strict() bool {
	return e.Action != "read" && e.Action != "search"
}

func (l *Log) appender() {
	defer l.wg.Done()
	defer close(l.syncStop)
	for {
		var first *appendReq
		select {
		case first = <-l.reqs:
		case <-l.stop:
			// write what was queued before Close
			for {
				select {
				case r := <-l.reqs:
					l.append([]*appendReq{r})
				default:
					return
				}
			}
		}
		// let the handlers about to record run first, again while each
		// yield brings more: on busy cores this joins them into this append
		// rather than each into one of its own — the append's syscalls
		// (flock, header, stat, write, unlock) are paid per batch
		// (docs/benchmarks.md, session 5 and 6)
		batch := []*appendReq{first}
		n := len(first.rows)
		for range maxYields {
			runtime.Gosched()
			before := len(batch)
		fill:
			for n < maxBatch {
				select {
				case r := <-l.reqs:
					batch = append(batch, r)
					n += len(r.rows)
				default:
					break fill
				}
			}
			if len(batch) == before || n >= maxBatch {
				break
			}
		}
		l.append(batch)
	}
}

// append writes one batch, answers its grouped requests and hands its strict
// ones to the syncer.
func (l *Log) append(batch []*appendReq) {
	l.mu.Lock()
	err := l.failed
	l.mu.Unlock()
	if err == nil {
		rows := l.rows[:0]
		for _, r := range batch {
			rows = append(rows, r.rows...)
		}
		if err = l.j.AppendAudit(context.Background(), rows, Link); err != nil {
			l.log.Error("audit journal append failed", "entries", len(rows), "err", err)
			err = refused(err)
		}
		// the store wrote them out (it keeps none of rows): the slice serves
		// the next batch, without the requests' bodies
		clear(rows)
		l.rows = rows[:0]
	}
	if err != nil {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	l.mu.Lock()
	wake := !l.dirty // the syncer must start counting MaxSyncDelay
	if !l.dirty {
		l.dirty, l.dirtySince = true, time.Now()
	}
	for _, r := range batch {
		if r.strict {
			l.waiting = append(l.waiting, r.done)
			wake = true // the syncer must not wait
		}
	}
	l.mu.Unlock()
	for _, r := range batch {
		if !r.strict {
			r.done <- nil
		}
	}
	if wake {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
}

// refused is the error of every entry after the journal failed: 503, whatever
// kind the store gave its own error (a failed fsync is KindInternal there), so
// that the client retries later (decision 0007: a failed sync is final, every
// later request gets 503).
func refused(err error) error {
	return &dsn.Error{Op: "audit.Record", Kind: dsn.KindUnavailable,
		Msg: "journal d'accès indisponible", English: "access journal unavailable", Err: err}
}

// syncer makes written entries durable: at once when a strict request waits,
// else MaxSyncDelay after the first entry written since the last sync.
func (l *Log) syncer() {
	defer close(l.syncDone)
	stopping := false
	for {
		l.mu.Lock()
		dirty, urgent, since := l.dirty, len(l.waiting) > 0, l.dirtySince
		l.mu.Unlock()
		switch {
		case !dirty && stopping:
			return
		case !dirty:
			select {
			case <-l.kick:
			case <-l.syncStop:
				stopping = true
			}
			continue
		case !urgent && !stopping:
			if wait := MaxSyncDelay - time.Since(since); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-l.kick: // a strict request may have come
					t.Stop()
					continue
				case <-l.syncStop:
					stopping = true
				}
				t.Stop()
			}
		}
		l.sync()
	}
}

// sync runs one SyncAudit for every entry written before it and answers the
// strict requests among them. A failed sync is final (the store's own rule).
func (l *Log) sync() {
	l.mu.Lock()
	waiting := l.waiting
	l.waiting, l.dirty = nil, false
	l.mu.Unlock()
	err := l.j.SyncAudit(context.Background())
	if err != nil {
		l.log.Error("audit journal sync failed: the journal refuses every later entry", "err", err)
		err = refused(err)
		l.mu.Lock()
		if l.failed == nil {
			l.failed = err
		}
		l.mu.Unlock()
	}
	for _, w := range waiting {
		w <- err
	}
}

// Close writes and syncs what is queued, stops the goroutines and signs a
// last checkpoint.
func (l *Log) Close() error {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
	<-l.syncDone
	if l.signer != nil && l.rs != nil {
		return l.Checkpoint(context.Background())
	}
	return nil
}

// Checkpoint is a signed statement of the chain's tail: "at seq S the hash
// was H". Kept as a record (kind audit-checkpoint) and logged, so that a copy
// lives outside the database too.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"` // hex
	Time time.Time `json:"time"`
	Kid  string    `json:"kid"`
	Sig  []byte    `json:"sig"`
}

const kindCheckpoint = "audit-checkpoint"

func (c Checkpoint) payload() []byte {
	return fmt.Appendf(nil, "dsn-audit-checkpoint\n%d\n%s\n%s", c.Seq, c.Hash, c.Time.UTC().Format(time.RFC3339Nano))
}

// Checkpoint signs the current tail unless the last checkpoint already covers it.
func (l *Log) Checkpoint(ctx context.Context) error {
	tail, err := l.j.SearchAudit(ctx, dsn.AuditQuery{Count: 1})
	if err != nil || len(tail) == 0 {
		return err
	}
	// never sign an entry a power loss could still take away: the checkpoint
	// would then claim a truncation that nobody made
	if err := l.j.SyncAudit(ctx); err != nil {
		return err
	}
	id := fmt.Sprintf("%020d", tail[0].Seq)
	if _, err := l.rs.GetRecord(ctx, kindCheckpoint, id); err == nil {
		return nil
	}
	c := Checkpoint{Seq: tail[0].Seq, Hash: hex.EncodeToString(tail[0].Hash), Time: time.Now().UTC()}
	if c.Kid, c.Sig, err = l.signer.Sign(ctx, c.payload()); err != nil {
		return err
	}
	b, _ := json.Marshal(c)
	if err := l.rs.PutRecord(ctx, dsn.Record{Kind: kindCheckpoint, ID: id, Body: b, Updated: c.Time}); err != nil {
		return err
	}
	l.log.Info("audit checkpoint", "seq", c.Seq, "hash", c.Hash, "kid", c.Kid)
	return nil
}

func (l *Log) checkpointer(every time.Duration) {
	defer l.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if err := l.Checkpoint(context.Background()); err != nil {
				l.log.Error("audit checkpoint failed", "err", err)
			}
		}
	}
}
