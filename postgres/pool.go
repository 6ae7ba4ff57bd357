package postgres

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
)

// pool is a minimal connection pool for reads. (pgxpool would need the
// github.com/jackc/puddle module, which go.mod does not carry.) Each pgx.Conn
// caches its prepared statements, so a pooled read is one round trip.
type pool struct {
	cfg    *pgx.ConnConfig
	idle   chan *pgx.Conn
	sem    chan struct{} // one token per open connection
	mu     sync.Mutex
	closed bool
}

var errPoolClosed = errors.New("the store is closed")

func newPool(cfg *pgx.ConnConfig, size int) *pool {
	return &pool{cfg: cfg, idle: make(chan *pgx.Conn, size), sem: make(chan struct{}, size)}
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// acquire returns an idle connection, opens a new one if under the limit, or waits.
func (p *pool) acquire(ctx context.Context) (*pgx.Conn, error) {
	if p.isClosed() {
		return nil, errPoolClosed
	}
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	select {
	case c := <-p.idle:
		return c, nil
	case p.sem <- struct{}{}:
		c, err := pgx.ConnectConfig(ctx, p.cfg)
		if err != nil {
			<-p.sem
			return nil, err
		}
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// release returns c to the pool. A connection broken by an error or a
// cancelled query (pgx closes it) is dropped, and after close every returned
// connection is closed.
func (p *pool) release(c *pgx.Conn) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed && !c.IsClosed() {
		c.Close(context.Background())
	}
	if c.IsClosed() {
		<-p.sem
		return
	}
	p.idle <- c
}

// close closes the idle connections; those in use are closed on release.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			c.Close(context.Background())
			<-p.sem
		default:
			return
		}
	}
}
