package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
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
	p, err := sqlstore.Translate(sqlstore.Postgres, q)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	rows, err := c.Query(ctx, p.Page.SQL, p.Page.Args...)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res, err := sqlstore.Postgres.ScanMatches(rows, p.Size)
	rows.Close()
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
