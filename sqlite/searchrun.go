package sqlite

import (
	"context"
	"database/sql"

	"dsn"
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
	p, err := translate(sqliteDialect, q)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	rows, err := db.query(ctx, p.Page.SQL, p.Page.Args...)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res, err := scanMatches(rows, p.Size)
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

// scanMatches reads up to n resources; an (n+1)th row means a next page, whose
// cursor is the last rid returned.
func scanMatches(rows *sql.Rows, n int) (dsn.SearchResult, error) {
	defer rows.Close()
	var res dsn.SearchResult
	var last int64
	for rows.Next() {
		if len(res.Matches) == n {
			res.Next = encodeCursor('s', last)
			break
		}
		var rid int64
		r, err := scanResource(seqScanner{rows, &rid})
		if err != nil {
			return res, err
		}
		last = rid
		res.Matches = append(res.Matches, r)
	}
	return res, rows.Err()
}
