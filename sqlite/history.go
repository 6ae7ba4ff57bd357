package sqlite

import (
	"context"

	"dsn"
	"dsn/internal/sqlstore"
)

// History lists versions newest first (FHIR R4 http.html#history). The
// queries come from sqlstore.History: system walks the rowid (seq) backwards,
// type the (type, seq) index, instance seeks UNIQUE (type, id, version), with
// a unary + on the instance cursor test (sqlite.org/optoverview.html#disqualifying);
// testdata/history_plan.golden holds the plans.
func (s *Store) History(ctx context.Context, q dsn.HistoryQuery) (dsn.HistoryPage, error) {
	const op = "sqlite.History"
	if s.shut.Load() {
		return dsn.HistoryPage{}, errClosed(op)
	}
	p, err := sqlstore.History(sqlstore.SQLite, op, q)
	if err != nil {
		return dsn.HistoryPage{}, err
	}
	rows, err := s.cache.query(ctx, p.Page.SQL, p.Page.Args...)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	page, err := sqlstore.SQLite.ScanHistory(rows, p.Size)
	rows.Close()
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if page.Total, err = s.cache.count(ctx, p.Count.SQL, p.Count.Args...); err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return page, nil
}
