package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"dsn"
)

// Page sizes for history and search (FHIR search.html#count lets the server cap _count).
const (
	DefaultCount = 50
	MaxCount     = 1000
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

const histSelect = `SELECT v.seq, ` + versionCols + ` FROM resource_version v `

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
		if before, err = decodeCursor(op, 'h', q.Cursor); err != nil {
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
	n := pageSize(q.Count)
	rows, err := s.cache.query(ctx, lvl.page(since), append(args, before, n+1)...)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	page, err := scanHistory(rows, n)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if page.Total, err = s.cache.count(ctx, lvl.count(since), args...); err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return page, nil
}

// scanHistory reads up to n versions; an (n+1)th row means there is a next page.
func scanHistory(rows *sql.Rows, n int) (dsn.HistoryPage, error) {
	defer rows.Close()
	var page dsn.HistoryPage
	var last int64
	for rows.Next() {
		if len(page.Entries) == n {
			page.Next = encodeCursor('h', last)
			break
		}
		var seq int64
		r, err := scanResource(seqScanner{rows, &seq})
		if err != nil {
			return page, err
		}
		last = seq
		page.Entries = append(page.Entries, r)
	}
	return page, rows.Err()
}

// seqScanner reads a leading integer column before the versionCols.
type seqScanner struct {
	rows *sql.Rows
	seq  *int64
}

func (s seqScanner) Scan(dest ...any) error { return s.rows.Scan(append([]any{s.seq}, dest...)...) }

// pageSize applies the default and the cap to a requested count.
func pageSize(n int) int {
	switch {
	case n <= 0:
		return DefaultCount
	case n > MaxCount:
		return MaxCount
	}
	return n
}

// encodeCursor makes an opaque cursor: kind letter and position, base64url.
func encodeCursor(kind byte, pos int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(kind) + strconv.FormatInt(pos, 10)))
}

func decodeCursor(op string, kind byte, c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s := string(b)
	if err == nil && strings.HasPrefix(s, string(kind)) {
		if n, err := strconv.ParseInt(s[1:], 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, dsn.Errorf(op, dsn.KindInvalid, "curseur de pagination invalide")
}
