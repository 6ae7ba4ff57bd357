package postgres

import (
	"context"

	"dsn"
	"dsn/internal/sqlstore"
)

// History lists versions newest first (FHIR R4 http.html#history). The
// queries come from sqlstore.History, each level on its own index
// (history_test.go checks the plans).
func (s *Store) History(ctx context.Context, q dsn.HistoryQuery) (dsn.HistoryPage, error) {
	const op = "postgres.History"
	p, err := sqlstore.History(sqlstore.Postgres, op, q)
	if err != nil {
		return dsn.HistoryPage{}, err
	}
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	rows, err := c.Query(ctx, p.Page.SQL, p.Page.Args...)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	result, err := sqlstore.Postgres.ScanHistory(rows, p.Size)
	rows.Close()
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if err := c.QueryRow(ctx, p.Count.SQL, p.Count.Args...).Scan(&result.Total); err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return result, nil
}
