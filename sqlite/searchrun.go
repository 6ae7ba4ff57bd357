package sqlite

import (
	"context"
	"database/sql"

	"dsn"
	"dsn/internal/sqlstore"
)

// querier runs generated SQL: the read pool's statement cache, or the writer
// connection inside a transaction.
type querier interface {
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	count(ctx context.Context, query string, args ...any) (int, error)
}

// connQuerier runs generated SQL on the writer connection (rare: conditional
// operations), without caching.
type connQuerier struct{ c *sql.Conn }

func (q connQuerier) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.c.QueryContext(ctx, query, args...)
}

func (q connQuerier) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// Search returns one page of current, non-deleted matches (dsn.Store.Search).
func (s *Store) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	if s.shut.Load() {
		return dsn.SearchResult{}, errClosed("sqlite.Search")
	}
	return search(ctx, &s.cache, q)
}

func search(ctx context.Context, db querier, q dsn.SearchQuery) (dsn.SearchResult, error) {
	const op = "sqlite.Search"
	p, err := sqlstore.Translate(sqlstore.SQLite, q)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	rows, err := db.query(ctx, p.Page.SQL, p.Page.Args...)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res, err := sqlstore.SQLite.ScanMatches(rows, p.Size)
	rows.Close()
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res.Total = -1
	if q.Total {
		if res.Total, err = db.count(ctx, p.Count.SQL, p.Count.Args...); err != nil {
			return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
		}
	}
	return res, nil
}
