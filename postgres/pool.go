package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// pool is a minimal connection pool for reads. (pgxpool would need the
// github.com/jackc/puddle module, which go.mod does not carry.) Each pgx.Conn
// caches its prepared statements, so a pooled read is one round trip.
type pool struct {
	cfg  *pgx.ConnConfig
	idle chan *pgx.Conn
	sem  chan struct{} // one token per open connection
}

func newPool(cfg *pgx.ConnConfig, size int) *pool {
	return &pool{cfg: cfg, idle: make(chan *pgx.Conn, size), sem: make(chan struct{}, size)}
}

// acquire returns an idle connection, opens a new one if under the limit, or waits.
func (p *pool) acquire(ctx context.Context) (*pgx.Conn, error) {
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

// release returns c to the pool; a connection broken by an error or a
// cancelled query (pgx closes it) is dropped.
func (p *pool) release(c *pgx.Conn) {
	if c.IsClosed() {
		<-p.sem
		return
	}
	p.idle <- c
}

// close closes the idle connections; call it when no acquire is in flight.
func (p *pool) close() {
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
