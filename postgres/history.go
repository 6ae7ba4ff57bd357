package postgres

import (
	"context"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
	histWhereSystem   = `WHERE v.last_updated >= $1`
	histWhereType     = `WHERE v.type = $2 AND v.last_updated >= $1`
	histWhereInstance = `WHERE v.type = $2 AND v.id = $3 AND v.last_updated >= $1`
	histSelect        = `SELECT v.seq, ` + versionCols + ` FROM resource_version v `
	histCount         = `SELECT count(*) FROM resource_version v `
)

// History lists versions newest first (FHIR R4 http.html#history).
func (s *Store) History(ctx context.Context, q dsn.HistoryQuery) (dsn.HistoryPage, error) {
	const op = "postgres.History"
	before := int64(math.MaxInt64)
	if q.Cursor != "" {
		var err error
		if before, err = decodeCursor(op, 'h', q.Cursor); err != nil {
			return dsn.HistoryPage{}, err
		}
	}
	since := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	if !q.Since.IsZero() {
		since = q.Since
	}
	var where string
	args := []any{since}
	switch {
	case q.Type == "" && q.ID != "":
		return dsn.HistoryPage{}, dsn.Errorf(op, dsn.KindInvalid, "l'historique d'une instance demande un type")
	case q.Type == "":
		where = histWhereSystem
	case q.ID == "":
		where, args = histWhereType, append(args, q.Type)
	default:
		where, args = histWhereInstance, append(args, q.Type, q.ID)
	}
	n := pageSize(q.Count)
	page := histSelect + where + " AND v.seq < $" + strconv.Itoa(len(args)+1) +
		" ORDER BY v.seq DESC LIMIT $" + strconv.Itoa(len(args)+2)
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	rows, err := c.Query(ctx, page, append(args, before, n+1)...)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	result, err := scanHistory(rows, n)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if err := c.QueryRow(ctx, histCount+where, args...).Scan(&result.Total); err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return result, nil
}

// scanHistory reads up to n versions; an (n+1)th row means there is a next page.
func scanHistory(rows pgx.Rows, n int) (dsn.HistoryPage, error) {
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
	rows pgx.Rows
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
