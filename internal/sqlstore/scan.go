package sqlstore

import (
	"time"

	"dsn"
)

// Scanner is one row: *sql.Row, *sql.Rows, pgx.Row and pgx.Rows all have Scan.
type Scanner interface{ Scan(dest ...any) error }

// Rows is a result set of database/sql or pgx; the caller closes it (their
// Close methods differ).
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// ScanResource reads the columns of VersionCols.
func (d Dialect) ScanResource(row Scanner) (dsn.Resource, error) {
	var r dsn.Resource
	return d.scan(row, &r, &r.Type, &r.ID)
}

// ScanKeyed reads the columns of KeyedCols, of the resource typ/id.
func (d Dialect) ScanKeyed(row Scanner, typ, id string) (dsn.Resource, error) {
	r := dsn.Resource{Type: typ, ID: id}
	return d.scan(row, &r)
}

// scan reads lead (the type and id columns, or none) and then KeyedCols into r.
func (d Dialect) scan(row Scanner, r *dsn.Resource, lead ...any) (dsn.Resource, error) {
	var err error
	if d.intColumns {
		var lu int64
		var deleted int
		err = row.Scan(append(lead, &r.VersionID, &lu, &deleted, &r.Method, &r.Body, &r.PatientKey)...)
		r.LastUpdated, r.Deleted = FromMicros(lu), deleted != 0
	} else {
		err = row.Scan(append(lead, &r.VersionID, &r.LastUpdated, &r.Deleted, &r.Method, &r.Body, &r.PatientKey)...)
		r.LastUpdated = r.LastUpdated.UTC()
	}
	if err != nil {
		return dsn.Resource{}, err
	}
	if r.Deleted {
		r.Body = nil
	}
	return *r, nil
}

// ScanHistory reads up to n versions (a seq column, then VersionCols); an
// (n+1)th row means there is a next page, whose cursor is the last seq.
func (d Dialect) ScanHistory(rows Rows, n int) (dsn.HistoryPage, error) {
	var page dsn.HistoryPage
	var err error
	page.Entries, page.Next, err = d.scanPage(rows, n, 'h')
	return page, err
}

// ScanMatches reads up to n resources (a rid column, then VersionCols); an
// (n+1)th row means a next page, whose cursor is the last rid returned.
func (d Dialect) ScanMatches(rows Rows, n int) (dsn.SearchResult, error) {
	var res dsn.SearchResult
	var err error
	res.Matches, res.Next, err = d.scanPage(rows, n, 's')
	return res, err
}

func (d Dialect) scanPage(rows Rows, n int, kind byte) (rs []dsn.Resource, next string, err error) {
	rs = make([]dsn.Resource, 0, min(max(n, 0), 64)) // a page is usually full: no doublings up to it
	var last int64
	for rows.Next() {
		if len(rs) == n {
			next = EncodeCursor(kind, last)
			break
		}
		var pos int64
		var r dsn.Resource
		// the leading seq or rid column, then VersionCols, in one Scan
		r, err := d.scan(rows, &r, &pos, &r.Type, &r.ID)
		if err != nil {
			return rs, "", err
		}
		last = pos
		rs = append(rs, r)
	}
	return rs, next, rows.Err()
}

// ReadResult turns the outcome of a read of typ/id into the answer of
// dsn.Store.Read (version 0) or VRead: noRows is the driver's "no row" error,
// a deleted version is Gone (FHIR R4 http.html#read: 410).
func ReadResult(op, typ, id string, version int64, r dsn.Resource, err error, noRows bool) (dsn.Resource, error) {
	switch {
	case noRows && version == 0:
		return dsn.Resource{}, Fail(op, dsn.KindNotFound, "read.missing", typ, id)
	case noRows:
		return dsn.Resource{}, Fail(op, dsn.KindNotFound, "read.version", version, typ, id)
	case err != nil:
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindInternal, err)
	case r.Deleted && version == 0:
		return r, Fail(op, dsn.KindGone, "read.deleted", typ, id)
	case r.Deleted:
		return r, Fail(op, dsn.KindGone, "read.version-deleted", version, typ, id)
	}
	return r, nil
}

// ScanSorted reads up to n resources of a sorted page (rid, the sort values
// of p.Sort, then VersionCols); an (n+1)th row means a next page, whose
// cursor carries the last returned row's sort values and rid.
func (d Dialect) ScanSorted(rows Rows, p Plan) (dsn.SearchResult, error) {
	var res dsn.SearchResult
	keys := len(p.Sort)
	var last []any
	var lastRID int64
	for rows.Next() {
		if len(res.Matches) == p.Size {
			res.Next = EncodeSortCursor(p.Sort, last, lastRID)
			break
		}
		var rid int64
		vals := make([]any, keys)
		dest := []any{&rid}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		var r dsn.Resource
		r, err := d.scan(rows, &r, append(dest, &r.Type, &r.ID)...)
		if err != nil {
			return res, err
		}
		for i, v := range vals {
			vals[i] = cursorValue(v, p.Sort[i])
		}
		last, lastRID = vals, rid
		res.Matches = append(res.Matches, r)
	}
	return res, rows.Err()
}

// cursorValue normalises a scanned sort value for the cursor: text as
// string, instants as Unix microseconds, numbers of number and quantity keys as float64.
func cursorValue(v any, k dsn.SortKey) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return Micros(x)
	case int64:
		if k.Type == dsn.ParamNumber || k.Type == dsn.ParamQuantity {
			return float64(x)
		}
	}
	return v
}
