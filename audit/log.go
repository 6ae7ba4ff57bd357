package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"dsn"
)

// Signer signs and verifies checkpoints (access.Service: the server's ES256 key).
type Signer interface {
	Sign(ctx context.Context, payload []byte) (kid string, sig []byte, err error)
	VerifySignature(ctx context.Context, kid string, payload, sig []byte) bool
}

// Options configures a Log.
type Options struct {
	Journal dsn.Journal // required
	Records dsn.Records // where checkpoints are kept (required for checkpoints)
	Signer  Signer      // signs checkpoints (none without it)
	Logger  *slog.Logger
	// CheckpointEvery is the period of signed checkpoints (default 1 minute).
	CheckpointEvery time.Duration
	// Writers is how many batches may be in flight at once (default 8): while
	// some wait for their fsync, the next ones form, and the store's group
	// commit joins those that arrive together into one transaction.
	Writers int
}

// Log appends entries to the journal durably, grouping concurrent callers
// into one append (one transaction, one fsync: the store's group commit does
// the rest), and signs checkpoints of the chain periodically.
type Log struct {
	j      dsn.Journal
	rs     dsn.Records
	signer Signer
	log    *slog.Logger
	reqs   chan *appendReq
	wg     sync.WaitGroup
	stop   chan struct{}
	once   sync.Once
}

type appendReq struct {
	rows []dsn.AuditEntry
	done chan error
}

// maxBatch bounds the entries of one append.
const maxBatch = 2048

// Open starts the log's writers and checkpointer; Close stops them.
func Open(o Options) *Log {
	l := &Log{j: o.Journal, rs: o.Records, signer: o.Signer, log: o.Logger,
		reqs: make(chan *appendReq, 4096), stop: make(chan struct{})}
	if l.log == nil {
		l.log = slog.Default()
	}
	n := o.Writers
	if n <= 0 {
		n = 8
	}
	for range n {
		l.wg.Add(1)
		go l.writer()
	}
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

// Record appends entries and returns once they are durable, or with an error
// (then the caller must not release the information: no entry, no data).
func (l *Log) Record(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]dsn.AuditEntry, len(entries))
	for i := range entries {
		r, err := entries[i].row()
		if err != nil {
			return dsn.Wrap("audit.Record", dsn.KindInternal, err)
		}
		rows[i] = r
	}
	req := &appendReq{rows: rows, done: make(chan error, 1)}
	select {
	case l.reqs <- req:
	case <-l.stop:
		return dsn.Errorf("audit.Record", dsn.KindUnavailable, "journal fermé")
	case <-ctx.Done():
		return dsn.Wrap("audit.Record", dsn.KindUnavailable, ctx.Err())
	}
	// Once queued the entry is written even if the caller leaves.
	return <-req.done
}

func (l *Log) writer() {
	defer l.wg.Done()
	for {
		var first *appendReq
		select {
		case first = <-l.reqs:
		case <-l.stop:
			// drain what was queued before Close
			for {
				select {
				case r := <-l.reqs:
					l.append([]*appendReq{r})
				default:
					return
				}
			}
		}
		batch := []*appendReq{first}
		n := len(first.rows)
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
		l.append(batch)
	}
}

func (l *Log) append(batch []*appendReq) {
	var rows []dsn.AuditEntry
	for _, r := range batch {
		rows = append(rows, r.rows...)
	}
	err := l.j.AppendAudit(context.Background(), rows, Link)
	if err != nil {
		l.log.Error("audit journal append failed", "entries", len(rows), "err", err)
		err = dsn.Wrap("audit.Record", dsn.KindUnavailable, err)
	}
	for _, r := range batch {
		r.done <- err
	}
}

// Close writes what is queued, stops the writers and signs a last checkpoint.
func (l *Log) Close() error {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
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
