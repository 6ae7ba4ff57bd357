package sqlite

import (
	"context"
	"database/sql"

	"dsn"
)

// querier is what both the read pool (*sql.DB) and the writer (*sql.Conn) offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Search returns one page of current, non-deleted matches (dsn.Store.Search).
func (s *Store) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	if s.shut.Load() {
		return dsn.SearchResult{}, errClosed("sqlite.Search")
	}
	return search(ctx, s.rdb, q)
}

func search(ctx context.Context, db querier, q dsn.SearchQuery) (dsn.SearchResult, error) {
	const op = "sqlite.Search"
	p, err := translate(sqliteDialect, q)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	rows, err := db.QueryContext(ctx, p.Page.SQL, p.Page.Args...)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res, err := scanMatches(rows, p.Size)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res.Total = -1
	if q.Total {
		if err := db.QueryRowContext(ctx, p.Count.SQL, p.Count.Args...).Scan(&res.Total); err != nil {
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
