package sqlite

import (
	"context"
	"database/sql"
	"net/url"
	"sync/atomic"
	"time"
)

// Checkpoints off the writer. SQLite's automatic checkpoint runs inside the
// COMMIT that crosses wal_autocheckpoint pages, on the writer's connection: it
// copies the WAL into the database file and fsyncs both, stalling the single
// writer for 10–25 ms every few batches (a Patient create dirties ~60 pages of
// index B-trees). The writer therefore runs with wal_autocheckpoint=0 and a
// goroutine with its own connection runs PASSIVE checkpoints, which never block
// the writer nor readers (sqlite.org/c3ref/wal_checkpoint_v2.html).
//
// Why it stays safe: whatever connection runs it, a checkpoint with
// synchronous=NORMAL fsyncs the WAL before copying frames into the database
// file and fsyncs the database file before recording the frames as
// backfilled; the WAL is rewritten from the start only once every frame was
// backfilled (sqlite.org/wal.html#ckpt, pragma.html#pragma_synchronous). So an
// acknowledged write is always in a synced WAL frame or in the synced database
// file, as with the automatic checkpoint.
//
// Why the writer still checkpoints sometimes: under a steady load the writer
// appends frames while the background checkpoint copies, so the WAL is never
// entirely backfilled when the next write starts and it would grow without
// bound. When the checkpointer sees more than walFrameLimit frames, the writer
// runs one PASSIVE checkpoint itself between two batches; most frames are
// already copied and synced by then, so it is short, and the next write
// rewrites the WAL from the start.

// ckptPause spaces the background checkpoints: fewer checkpoints copy a page
// changed many times only once, and leave the disk to the WAL fsyncs that
// acknowledge writes. A create changes a few index leaves at scattered places
// (a patient's reference, a quantity's value, one code among others), each
// changed again by later creates: every 500 ms instead of every 50 ms, the
// server wrote 69 KB per HTTP Observation create instead of 84, made 33 write
// calls instead of 37, and the WAL fsync that acknowledges writes took
// 2.6–2.8 ms instead of 3.3–3.5 (docs/benchmarks.md, session 8). The WAL may
// pass walFrameLimit by up to one pause's worth of frames before the writer
// is told to checkpoint.
const ckptPause = 500 * time.Millisecond

// walFrameLimit is the WAL size (in pages: 64 MiB with 4 KiB pages) past which
// the writer checkpoints itself so that the WAL restarts from its beginning.
const walFrameLimit = 16384

// checkpointer owns the connection that runs the background checkpoints.
type checkpointer struct {
	db     *sql.DB
	kick   chan struct{} // a batch committed: frames are waiting
	stop   chan struct{}
	done   chan struct{}
	frames atomic.Int64 // WAL frames seen by the last checkpoint
	full   atomic.Bool  // the WAL passed walFrameLimit: the writer must checkpoint
}

// startCheckpointer opens the checkpoint connection. synchronous(NORMAL) is
// what makes the checkpoint fsync the WAL and the database file (above).
func startCheckpointer(path string) (*checkpointer, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// committed tells the checkpointer that new frames are in the WAL; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if _, log, err := checkpoint(context.Background(), c.db); err == nil {
			c.frames.Store(log)
			if log > walFrameLimit {
				c.full.Store(true)
			}
		}
		select {
		case <-c.stop:
			return
		case <-time.After(ckptPause):
		}
	}
}

// close stops the background checkpoints and closes their connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}

// queryer is a *sql.DB or a *sql.Conn.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkpoint runs one PASSIVE checkpoint and returns the frames it left in the
// WAL and the WAL's size in frames (sqlite.org/pragma.html#pragma_wal_checkpoint).
func checkpoint(ctx context.Context, q queryer) (left, log int64, err error) {
	var busy, done int64
	err = q.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
	return log - done, log, err
}

// writerCheckpoint runs between two batches when the WAL has grown past
// walFrameLimit: a checkpoint on the writer's connection, while no new frames
// can come, lets the next write restart the WAL. It is tried again after
// later batches if a reader or the background checkpoint kept it from
// finishing.
func (s *Store) writerCheckpoint() {
	if s.ckpt == nil || !s.ckpt.full.Load() {
		return
	}
	left, _, err := checkpoint(context.Background(), s.wconn)
	if err == nil && left == 0 {
		s.ckpt.full.Store(false)
	}
}
