// Package postgres is the production storage adapter: the dsn.Store contract on
// PostgreSQL through pgx. One writer connection runs group commits; a small pool
// of connections serves reads. Resource bodies are JSONB.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// Writers is the number of writer connections, each running its own group
// commits: while one waits for its commit to be flushed, the others execute.
// Four measured best with 16 clients on 2 cores (README.md).
const Writers = 4

// Store is the PostgreSQL implementation of dsn.Store.
type Store struct {
	cfg     *pgx.ConnConfig
	wconns  []*pgx.Conn // one per writer goroutine; wconns[i] is owned by writer i (nil until its first batch)
	reads   *pool
	queue   *sqlstore.Queue
	writers sync.WaitGroup // done when the writers have drained the queue
	journal *journal       // the access journal's spool and mover (journal_spool.go)
	rev     revSignal      // revocation notifications (revsignal.go)
	loading atomic.Bool    // this store's load has deferred the indexes (bulkload.go)
}

var _ dsn.Store = (*Store)(nil)

// Options are the settings of OpenWith beyond the database's URL.
type Options struct {
	// SpoolDir is the directory of the access journal's spool on this
	// machine (journal_spool.go); "" is DefaultSpoolDir().
	SpoolDir string
	// AuditLink links the journal's entries as they are moved into the
	// database (audit.Link); without it, the link of the first AppendAudit.
	AuditLink func(prev []byte, e *dsn.AuditEntry)
}

// Open connects to the database at url (postgres://…; a search_path parameter
// selects the schema) and applies the pending migrations, with the default
// Options.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, url string, o Options) (*Store, error) {
	const op = "postgres.Open"
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, &dsn.Error{Op: op, Kind: dsn.KindInvalid, Msg: "URL PostgreSQL invalide", Err: err}
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	wconn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &dsn.Error{Op: op, Kind: dsn.KindUnavailable, Msg: "PostgreSQL injoignable (" + where + ")", Err: err}
	}
	if err := migrate(ctx, wconn); err != nil {
		wconn.Close(context.Background())
		return nil, &dsn.Error{Op: op, Kind: dsn.KindInternal, Msg: "migration du schéma PostgreSQL impossible", Err: err}
	}
	// an import that died while its indexes were deferred left them to us
	if err := buildLeftovers(ctx, wconn); err != nil {
		wconn.Close(context.Background())
		return nil, &dsn.Error{Op: op, Kind: dsn.KindInternal, Msg: "reconstruction des index différés impossible", Err: err}
	}
	// The other writers connect at their first batch (writerConn): a command
	// that only reads (dsn export, token, audit verify) does not start three
	// backends it never uses (10–30 ms of server CPU and a round trip each).
	s := &Store{
		cfg:    cfg,
		wconns: make([]*pgx.Conn, Writers),
		reads:  newPool(cfg, max(8, 4*runtime.GOMAXPROCS(0))),
		queue:  sqlstore.NewQueue(1024),
	}
	s.wconns[0] = wconn
	if err := s.openJournal(ctx, wconn, o.SpoolDir, o.AuditLink); err != nil {
		s.closeConns()
		return nil, &dsn.Error{Op: op, Kind: dsn.KindUnavailable, Msg: "journal d'accès : spool local inaccessible", Err: err}
	}
	for i := range s.wconns {
		s.writers.Add(1)
		go s.writer(i)
	}
	return s, nil
}

// Close stops accepting writes, lets the queued ones commit, and closes the
// connections. It is safe to call more than once.
func (s *Store) Close() error {
	if !s.queue.Close() {
		return nil
	}
	s.closeRevListener()
	s.writers.Wait()
	err := s.closeJournal()
	return errors.Join(err, s.closeConns())
}

func (s *Store) closeConns() error {
	s.reads.close()
	var first error
	for _, c := range s.wconns {
		if c == nil {
			continue
		}
		if err := c.Close(context.Background()); err != nil && first == nil {
			first = dsn.Wrap("postgres.Close", dsn.KindInternal, err)
		}
	}
	return first
}
