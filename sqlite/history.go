package sqlite

import (
	"context"
	"math"

	"dsn"
	"dsn/internal/sqlstore"
)

// Page sizes for history and search (FHIR search.html#count lets the server cap _count).
const (
	DefaultCount = sqlstore.DefaultCount
	MaxCount     = sqlstore.MaxCount
)

// History: one fixed query per level (system, type, instance), newest first;
// the cursor is the last global sequence seen (keyset paging). Each level reads
// its own index so that its cost does not grow with the store: system walks
// the rowid (seq) backwards, type the (type, seq) index, and instance seeks
// UNIQUE (type, id, version) — for one resource, version order is seq order,
// so ordering by version returns the same rows without walking every version of
// the type (testdata/history_plan.golden holds the plans). The instance level
// writes the cursor test "+v.seq": the unary + keeps SQLite from choosing the
// (type, seq) index for that range (sqlite.org/optoverview.html#disqualifying).
// Without _since the count leaves last_updated out, so it reads the index alone
// instead of every version row.
type histLevel struct{ keys, seq, order string }

var (
	histSystem   = histLevel{`1`, `v.seq`, `v.seq DESC`}
	histType     = histLevel{`v.type = ?`, `v.seq`, `v.seq DESC`}
	histInstance = histLevel{`v.type = ? AND v.id = ?`, `+v.seq`, `v.version DESC`}
)

const histSelect = `SELECT v.seq, ` + sqlstore.VersionCols + ` FROM resource_version v `

// where filters on the level's keys, then on last_updated if since is set.
func (l histLevel) where(since bool) string {
	if since {
		return ` WHERE ` + l.keys + ` AND v.last_updated >= ?`
	}
	return ` WHERE ` + l.keys
}

func (l histLevel) page(since bool) string {
	return histSelect + l.where(since) + ` AND ` + l.seq + ` < ? ORDER BY ` + l.order + ` LIMIT ?`
}

func (l histLevel) count(since bool) string {
	return `SELECT count(*) FROM resource_version v` + l.where(since)
}

// History lists versions newest first (FHIR R4 http.html#history).
func (s *Store) History(ctx context.Context, q dsn.HistoryQuery) (dsn.HistoryPage, error) {
	const op = "sqlite.History"
	if s.shut.Load() {
		return dsn.HistoryPage{}, errClosed(op)
	}
	before := int64(math.MaxInt64)
	if q.Cursor != "" {
		var err error
		if before, err = sqlstore.DecodeCursor(op, 'h', q.Cursor); err != nil {
			return dsn.HistoryPage{}, err
		}
	}
	var lvl histLevel
	var args []any
	switch {
	case q.Type == "" && q.ID != "":
		return dsn.HistoryPage{}, dsn.Errorf(op, dsn.KindInvalid, "l'historique d'une instance demande un type")
	case q.Type == "":
		lvl = histSystem
	case q.ID == "":
		lvl, args = histType, []any{q.Type}
	default:
		lvl, args = histInstance, []any{q.Type, q.ID}
	}
	since := !q.Since.IsZero()
	if since {
		args = append(args, micros(q.Since))
	}
	n := sqlstore.PageSize(q.Count)
	rows, err := s.cache.query(ctx, lvl.page(since), append(args, before, n+1)...)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	page, err := sqlstore.SQLite.ScanHistory(rows, n)
	rows.Close()
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if page.Total, err = s.cache.count(ctx, lvl.count(since), args...); err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return page, nil
}
