package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/spool"
	"dsn/internal/sqlstore"
)

// The journal's spool on PostgreSQL (docs/decisions/0017-postgres-journal-spool.md;
// the file: internal/spool).
//
// An append used to be one PostgreSQL write transaction per batch of 3–4
// concurrent reads (BEGIN, SET LOCAL, the advisory lock, a multi-row INSERT,
// COMMIT): ~90 µs + 15 µs per entry of backend CPU, the whole of the access
// control's cost on a read (docs/benchmarks.md, session 6, pgread). Now an
// append is one write(2) of framed records to a spool file on this machine;
// the mover copies them into audit_entry every spoolEvery, in one transaction
// per MiB of records, and every read of the journal moves what is left first.
//
// Unlike SQLite's, the spool's records carry no seq and no hash: several DSN
// servers on different machines may share the database, each with its own
// spool, and seq is one sequence for all of them. The mover numbers and links
// the entries under the journal's advisory lock (the lock every appender took
// before), after audit_entry's tail, and records in audit_spool, in the same
// transaction, the spool offset it reached; a move cut short by a crash, or
// two processes moving one spool, never copy an entry twice.

const (
	// spoolEvery is how often the mover copies new records into audit_entry:
	// one transaction (lock, tail, COPY, the offset, a synchronous COMMIT)
	// for every entry of the last second, instead of one per 3–4 reads.
	spoolEvery = time.Second
	// spoolTick is how often the mover wakes: it lets go of the spool's
	// flock (another process on this machine waits at most that long) and
	// moves once spoolEvery has passed.
	spoolTick = 200 * time.Millisecond
)

// journal is the access journal's state in one process.
type journal struct {
	spool *spool.Spool
	// link links the moved entries: Options.AuditLink, else the one given to
	// this process's first AppendAudit; with Options.AuditLink a process that
	// never appends (dsn audit verify) still moves what a crashed one left
	link                 atomic.Pointer[linkFunc]
	pending              chan struct{} // an append is waiting for the mover
	moverStop, moverDone chan struct{}
}

type linkFunc func(prev []byte, e *dsn.AuditEntry)

// DefaultSpoolDir is where the journal's spool lives when Options.SpoolDir
// is empty: a directory for state that must survive restarts, of the user
// running DSN — $STATE_DIRECTORY (systemd's StateDirectory=), else
// $XDG_STATE_HOME/dsn, else ~/.local/state/dsn. Never a temporary
// directory: the spool holds acknowledged entries until they are moved.
func DefaultSpoolDir() (string, error) {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" {
		return filepath.SplitList(d)[0], nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "dsn"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("journal spool: no --audit-spool directory and no home directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "dsn"), nil
}

// spoolPath names the spool of one journal (server, database, schema): the
// processes of this machine that use the same journal share it.
func spoolPath(dir string, cfg *pgx.ConnConfig, schema string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s:%d/%s/%s", cfg.Host, cfg.Port, cfg.Database, schema))
	return filepath.Join(dir, "audit-"+hex.EncodeToString(sum[:8])+".spool")
}

// openJournal opens the spool, moves what an earlier process left in it (a
// crash) when it knows how to link, and starts the mover.
func (s *Store) openJournal(ctx context.Context, c *pgx.Conn, dir string, link linkFunc) error {
	if dir == "" {
		var err error
		if dir, err = DefaultSpoolDir(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("journal spool: %w", err)
	}
	var schema string
	if err := c.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	// a new file's first generation is random: generations name spools in
	// audit_spool, and each machine has its own
	var g [8]byte
	rand.Read(g[:])
	sp, err := spool.Open(spoolPath(dir, s.cfg, schema), int64(binary.LittleEndian.Uint64(g[:])>>2))
	if err != nil {
		return fmt.Errorf("journal spool: %w", err)
	}
	j := &journal{spool: sp, pending: make(chan struct{}, 1),
		moverStop: make(chan struct{}), moverDone: make(chan struct{})}
	if link != nil {
		j.link.Store(&link)
	}
	s.journal = j
	if err := s.moveSpool(ctx, true); err != nil {
		sp.Close()
		return fmt.Errorf("journal spool: %w", err)
	}
	go s.mover()
	return nil
}

// closeJournal stops the mover and moves every record (audit_entry is then
// complete for tools reading it directly).
func (s *Store) closeJournal() error {
	j := s.journal
	if j == nil {
		return nil
	}
	close(j.moverStop)
	<-j.moverDone
	err := s.moveSpool(context.Background(), true)
	return errors.Join(err, j.spool.CloseAndRemove())
}

// moveSpool copies the spool's new records into audit_entry; with empty (and
// past spool.EmptyAt) it empties the spool: every move commits synchronously,
// so what was moved is durable already.
func (s *Store) moveSpool(ctx context.Context, empty bool) error {
	return s.journal.spool.Move(ctx, empty, s.insertSpooled, func() error { return nil })
}

// The statements of one move, in one round trip before the COPY.
const (
	sqlSpoolMoved = `SELECT moved FROM audit_spool WHERE gen = $1`
	sqlSpoolReach = `INSERT INTO audit_spool (gen, moved) VALUES ($1, $2)
	ON CONFLICT (gen) DO UPDATE SET moved = excluded.moved, at = now()`
)

var auditColumnNames = []string{"seq", "time", "patient", "agent", "action", "body", "hash"}

// insertSpooled copies the records [from, to) of generation gen into
// audit_entry (spool.Insert): under the journal's advisory lock it reads how
// far gen was moved and the chain's tail; if another process moved from
// elsewhere it writes nothing and says where to go on from; else it numbers
// and links the entries after the tail, copies them, and records to.
func (s *Store) insertSpooled(ctx context.Context, gen, from, to int64, batch []dsn.AuditEntry) (next int64, err error) {
	lp := s.journal.link.Load()
	if lp == nil {
		// nobody told this process how to link (it appended nothing): the
		// records wait for a process that knows
		return from, nil
	}
	link := *lp
	err = s.conn(ctx, "postgres.moveSpool", func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		b := &pgx.Batch{}
		b.Queue("SET LOCAL synchronous_commit = on")
		b.Queue(sqlAuditLock)
		b.Queue(sqlSpoolMoved, gen)
		b.Queue(sqlstore.SQLAuditTail)
		br := tx.SendBatch(ctx, b)
		moved, seq, hash, err := readMoveState(br)
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if moved != from {
			next = moved // another process moved this generation's records
			return nil
		}
		// Body goes as it was read from the spool: pgx encodes []byte for a
		// text column without the copy a string conversion makes (a search's
		// entry lists every resource returned: kilobytes)
		var others [][]any // audit_patient: the records of entries naming several (migration 0015)
		sqlstore.ChainAudit(seq, hash, batch, link, func(e *dsn.AuditEntry) {
			if strings.IndexByte(e.Patient, ' ') >= 0 {
				dsn.AuditPatients(e.Patient, func(p string) { others = append(others, []any{p, e.Seq}) })
			}
		})
		// one row's values, refilled for each entry: pgx encodes a row as
		// soon as it has it (a fresh []any per entry was one allocation more)
		row := make([]any, len(auditColumnNames))
		rows := pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
			e := &batch[i]
			patient := e.Patient
			if strings.IndexByte(patient, ' ') >= 0 {
				patient = "" // a list would not fit an index entry: the entry is found through audit_patient
			}
			row[0], row[1], row[2], row[3], row[4], row[5], row[6] = e.Seq, sqlstore.Micros(e.Time), patient, e.Agent, e.Action, e.Body, e.Hash
			return row, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_entry"}, auditColumnNames, rows); err != nil {
			return err
		}
		if len(others) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_patient"}, []string{"patient", "seq"}, pgx.CopyFromRows(others)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, sqlSpoolReach, gen, to); err != nil {
			return err
		}
		next = to
		return tx.Commit(ctx)
	})
	return next, err
}

// readMoveState reads the results of a move's first round trip: how far the
// generation was moved (the header's end when never) and the chain's tail.
func readMoveState(br pgx.BatchResults) (moved, seq int64, hash []byte, err error) {
	for range 2 {
		if _, err = br.Exec(); err != nil {
			return
		}
	}
	moved = spool.Header
	if err = br.QueryRow().Scan(&moved); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return
	}
	if err = br.QueryRow().Scan(&seq, &hash); errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return
}

// mover copies the spool into audit_entry every spoolEvery while records come.
func (s *Store) mover() {
	j := s.journal
	defer close(j.moverDone)
	j.spool.Mover(j.moverStop, j.pending, spoolTick, spoolEvery, func() {
		if err := s.moveSpool(context.Background(), false); err != nil {
			// the records stay in the spool; the next move or read retries
			slog.Error("audit journal: moving the spool into PostgreSQL failed", "err", err)
		}
	})
}
