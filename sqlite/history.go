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

// History: one fixed query per level (system, type, instance), newest first by
// the global sequence; the cursor is the last sequence seen (keyset paging).
const (
	histWhereSystem   = `WHERE v.last_updated >= ?`
	histWhereType     = `WHERE v.type = ? AND v.last_updated >= ?`
	histWhereInstance = `WHERE v.type = ? AND v.id = ? AND v.last_updated >= ?`
	histSelect        = `SELECT v.seq, ` + versionCols + ` FROM resource_version v `
	histPage          = ` AND v.seq < ? ORDER BY v.seq DESC LIMIT ?`
	histCount         = `SELECT count(*) FROM resource_version v `
)

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
	since := int64(math.MinInt64)
	if !q.Since.IsZero() {
		since = micros(q.Since)
	}
	var where string
	var args []any
	switch {
	case q.Type == "" && q.ID != "":
		return dsn.HistoryPage{}, dsn.Errorf(op, dsn.KindInvalid, "l'historique d'une instance demande un type")
	case q.Type == "":
		where, args = histWhereSystem, []any{since}
	case q.ID == "":
		where, args = histWhereType, []any{q.Type, since}
	default:
		where, args = histWhereInstance, []any{q.Type, q.ID, since}
	}
	n := pageSize(q.Count)
	rows, err := s.cache.query(ctx, histSelect+where+histPage, append(args, before, n+1)...)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	page, err := scanHistory(rows, n)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if page.Total, err = s.cache.count(ctx, histCount+where, args...); err != nil {
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
