package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the prepared statements of generated search SQL on the read
// pool: searches repeat a few shapes (the values are parameters), and parsing
// and planning them again costs more than running them.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// maxCached bounds the cache; beyond it new shapes are prepared per call.
const maxCached = 512

func (c *stmtCache) get(ctx context.Context, query string) (stmt *sql.Stmt, cached bool, err error) {
	c.mu.Lock()
	stmt, ok := c.stmts[query]
	c.mu.Unlock()
	if ok {
		return stmt, true, nil
	}
	stmt, err = c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok { // prepared concurrently: keep one
		stmt.Close()
		return old, true, nil
	}
	if len(c.stmts) >= maxCached {
		return stmt, false, nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = stmt
	return stmt, true, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = nil
}

// query runs a cached statement.
func (c *stmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stmt, cached, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if !cached {
		defer stmt.Close()
	}
	return stmt.QueryContext(ctx, args...)
}

// count runs a cached count(*) statement.
func (c *stmtCache) count(ctx context.Context, query string, args ...any) (int, error) {
	stmt, cached, err := c.get(ctx, query)
	if err != nil {
		return 0, err
	}
	if !cached {
		defer stmt.Close()
	}
	var n int
	err = stmt.QueryRowContext(ctx, args...).Scan(&n)
	return n, err
}
