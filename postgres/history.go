package postgres

import (
	"context"
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"dsn"
)

// Page sizes for history and search (FHIR search.html#count lets the server cap _count).
const (
	DefaultCount = 50
	MaxCount     = 1000
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

const histSelect = `SELECT v.seq, ` + versionCols + ` FROM resource_version v`

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
		args = append(args, q.Since)
	}
	n := pageSize(q.Count)
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
	result, err := scanHistory(rows, n)
	if err != nil {
		return dsn.HistoryPage{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if err := c.QueryRow(ctx, lvl.count(len(args), since), args...).Scan(&result.Total); err != nil {
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
