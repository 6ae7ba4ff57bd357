package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"dsn"
)

// Search returns one page of current, non-deleted matches (dsn.Store.Search).
func (s *Store) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap("postgres.Search", dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	return search(ctx, c, q)
}

func search(ctx context.Context, c *pgx.Conn, q dsn.SearchQuery) (dsn.SearchResult, error) {
	const op = "postgres.Search"
	p, err := translate(pgDialect, q)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	rows, err := c.Query(ctx, p.Page.SQL, p.Page.Args...)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res, err := scanMatches(rows, p.Size)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res.Total = -1
	if q.Total {
		if err := c.QueryRow(ctx, p.Count.SQL, p.Count.Args...).Scan(&res.Total); err != nil {
			return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
		}
	}
	return res, nil
}

// scanMatches reads up to n resources; an (n+1)th row means a next page, whose
// cursor is the last rid returned.
func scanMatches(rows pgx.Rows, n int) (dsn.SearchResult, error) {
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
