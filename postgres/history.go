package postgres

import (
	"context"
	"math"
	"strconv"

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
// its own index so that its cost does not grow with the store: system the
// primary key (seq), type (type, seq), instance UNIQUE (type, id, version) — for
// one resource, version order is seq order, so ordering by version returns the
// same rows without walking every version of the type. Without _since the
// count leaves last_updated out and can be answered from the index alone.
type histLevel struct{ keys, order string }

var (
	histSystem   = histLevel{`true`, `v.seq DESC`}
	histType     = histLevel{`v.type = $1`, `v.seq DESC`}
	histInstance = histLevel{`v.type = $1 AND v.id = $2`, `v.version DESC`}
)

const histSelect = `SELECT v.seq, ` + sqlstore.VersionCols + ` FROM resource_version v`

// where filters on the level's nkeys keys, then on last_updated if since is set.
func (l histLevel) where(nkeys int, since bool) string {
	if since {
		return ` WHERE ` + l.keys + ` AND v.last_updated >= $` + strconv.Itoa(nkeys+1)
	}
	return ` WHERE ` + l.keys
}

// page is the query of one page; its last two parameters are the cursor and the limit.
func (l histLevel) page(nargs int, since bool) string {
	return histSelect + l.where(nargs-boolInt(since), since) + ` AND v.seq < $` + strconv.Itoa(nargs+1) +
		` ORDER BY ` + l.order + ` LIMIT $` + strconv.Itoa(nargs+2)
}

func (l histLevel) count(nargs int, since bool) string {
	return `SELECT count(*) FROM resource_version v` + l.where(nargs-boolInt(since), since)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// History lists versions newest first (FHIR R4 http.html#history).
func (s *Store) History(ctx context.Context, q dsn.HistoryQuery) (dsn.HistoryPage, error) {
	const op = "postgres.History"
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
		args = append(args, q.Since)
	}
	n := sqlstore.PageSize(q.Count)
	page := lvl.page(len(args), since)
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	rows, err := c.Query(ctx, page, append(args, before, n+1)...)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	result, err := sqlstore.Postgres.ScanHistory(rows, n)
	rows.Close()
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if err := c.QueryRow(ctx, lvl.count(len(args), since), args...).Scan(&result.Total); err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return result, nil
}
