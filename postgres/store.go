// Package postgres is the production storage adapter: the dsn.Store contract on
// PostgreSQL through pgx. One writer connection runs group commits; a small pool
// of connections serves reads. Resource bodies are JSONB.
package postgres

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/jackc/pgx/v5"

	"dsn"
)

// Store is the PostgreSQL implementation of dsn.Store.
type Store struct {
	wconn  *pgx.Conn // owned by the writer goroutine
	reads  *pool
	queue  chan *writeReq
	mu     sync.RWMutex // guards closed against Write
	closed bool
	done   chan struct{} // closed when the writer goroutine has drained the queue
}

var _ dsn.Store = (*Store)(nil)

// Open connects to the database at url (postgres://…; a search_path parameter
// selects the schema) and applies the pending migrations.
func Open(ctx context.Context, url string) (*Store, error) {
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
	s := &Store{
		wconn: wconn,
		reads: newPool(cfg, max(4, 2*runtime.GOMAXPROCS(0))),
		queue: make(chan *writeReq, 1024),
		done:  make(chan struct{}),
	}
	go s.writer()
	return s, nil
}

// Close stops accepting writes, lets the queued ones commit, and closes the
// connections. It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.queue)
	s.mu.Unlock()
	<-s.done
	s.reads.close()
	if err := s.wconn.Close(context.Background()); err != nil {
		return dsn.Wrap("postgres.Close", dsn.KindInternal, err)
	}
	return nil
}
