package sqlstore

// _sort (search.html#sort) with keyset paging: each resource's sort values
// are computed once per page in a sub-query, the page is ordered by them and
// rid, and the cursor carries the last row's values so that the next page
// starts right after it (no OFFSET: a deep page costs what the first does).

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"dsn"
)

// sortKind is how a sort value is stored, bound and carried in a cursor.
type sortKind int

const (
	sortText    sortKind = iota // string
	sortReal                    // float64 (number, quantity)
	sortInt                     // int64 (idx_date bounds in Unix microseconds)
	sortInstant                 // resource.last_updated (dialect time), Unix µs in the cursor
)

// sortColumn is the table and column (expression on x) of one sort key, and
// its kind. Ascending reads each resource's lowest value, descending its
// highest (for dates: the start of the earliest range, the end of the latest).
func sortColumn(k dsn.SortKey) (table, col string, kind sortKind, err error) {
	switch k.Type {
	case dsn.ParamDate:
		if k.Desc {
			return "idx_date", "x.high", sortInt, nil
		}
		return "idx_date", "x.low", sortInt, nil
	case dsn.ParamString:
		return "idx_string", "x.norm", sortText, nil
	case dsn.ParamToken:
		return "idx_token", "x.code", sortText, nil
	case dsn.ParamNumber:
		return "idx_number", "x.value", sortReal, nil
	case dsn.ParamQuantity:
		return "idx_quantity", "x.value", sortReal, nil
	case dsn.ParamReference:
		return "idx_reference", "x.ref_type || '/' || x.ref_id || x.url", sortText, nil
	case dsn.ParamURI:
		return "idx_uri", "x.uri", sortText, nil
	}
	return "", "", 0, invalid("_sort: le paramètre %s (%s) n'est pas triable", k.Param, k.Type)
}

// sortExpr is the sort value of key k for the resource alias r, and its kind.
func (b *builder) sortExpr(k dsn.SortKey) (string, sortKind, error) {
	switch k.Param {
	case "_id":
		return b.d.textOrder("r.id"), sortText, nil
	case "_lastUpdated":
		return "r.last_updated", sortInstant, nil
	}
	table, col, kind, err := sortColumn(k)
	if err != nil {
		return "", 0, err
	}
	agg := "min"
	if k.Desc {
		agg = "max"
	}
	if kind == sortText {
		col = b.d.textOrder(col)
	}
	return "(SELECT " + agg + "(" + col + ") FROM " + table + " x WHERE x.rid = r.rid AND " + b.param("x", k.Param) + ")", kind, nil
}

// sortedPage is the page query of a sorted search: resources without a value
// for a key come last in both directions, ties fall to the next key, then to
// rid (the order of storage).
func (b *builder) sortedPage(q dsn.SearchQuery, size int) (Statement, error) {
	sel := []string{"r.rid", "r.seq"}
	kinds := make([]sortKind, len(q.Sort))
	var order []string
	for i, k := range q.Sort {
		e, kind, err := b.sortExpr(k)
		if err != nil {
			return Statement{}, err
		}
		kinds[i] = kind
		name := "s.k" + strconv.Itoa(i)
		sel = append(sel, e+" AS k"+strconv.Itoa(i))
		dir := " ASC"
		if k.Desc {
			dir = " DESC"
		}
		order = append(order, name+dir+" NULLS LAST")
	}
	where, err := b.where(q)
	if err != nil {
		return Statement{}, err
	}
	outer := make([]string, len(q.Sort))
	for i := range q.Sort {
		outer[i] = "s.k" + strconv.Itoa(i)
	}
	sql := "SELECT s.rid, " + strings.Join(outer, ", ") + ", " + VersionCols + "\nFROM (SELECT " + strings.Join(sel, ", ") +
		"\n  FROM resource r\n  " + strings.ReplaceAll(where, "\n", "\n  ") + ") s\nJOIN resource_version v ON v.seq = s.seq"
	if q.Cursor != "" {
		c, err := decodeSortCursor(q.Cursor, q.Sort, kinds)
		if err != nil {
			return Statement{}, err
		}
		sql += "\nWHERE " + b.keyset(q.Sort, kinds, c)
	}
	sql += "\nORDER BY " + strings.Join(order, ", ") + ", s.rid\nLIMIT " + b.arg(size+1)
	return Statement{SQL: sql, Args: b.args}, nil
}

// keyset is the condition "after the cursor row" in the page order: for
// some key i, the keys before it equal the cursor's and key i is past it
// (a NULL value comes after every value; nothing comes after NULL but
// NULL), or every key equals and rid is greater.
func (b *builder) keyset(keys []dsn.SortKey, kinds []sortKind, c sortCursor) string {
	// eq binds the cursor's value of key j again for each disjunct: SQLite's
	// "?" placeholders are positional.
	eq := func(j int) string {
		name := "s.k" + strconv.Itoa(j)
		if c.Values[j] == nil {
			return name + " IS NULL"
		}
		return name + " = " + b.sortArg(kinds[j], c.Values[j])
	}
	var ors []string
	for i, k := range keys {
		if c.Values[i] == nil {
			continue // nothing sorts after a missing value but missing values
		}
		var and []string
		for j := range i {
			and = append(and, eq(j))
		}
		name := "s.k" + strconv.Itoa(i)
		op := " > "
		if k.Desc {
			op = " < "
		}
		and = append(and, "("+name+op+b.sortArg(kinds[i], c.Values[i])+" OR "+name+" IS NULL)")
		ors = append(ors, strings.Join(and, " AND "))
	}
	var and []string
	for j := range keys {
		and = append(and, eq(j))
	}
	ors = append(ors, strings.Join(append(and, "s.rid > "+b.arg(c.RID)), " AND "))
	return "((" + strings.Join(ors, ")\n    OR (") + "))"
}

// sortArg binds a cursor value as its column's type.
func (b *builder) sortArg(kind sortKind, v any) string {
	if kind == sortInstant {
		return b.arg(b.d.timeArg(FromMicros(v.(int64))))
	}
	return b.arg(v)
}

// textOrder makes a text expression sort by bytes (PostgreSQL: COLLATE "C",
// like the index columns; SQLite's BINARY already does).
func (d Dialect) textOrder(e string) string {
	if d.intColumns {
		return e
	}
	return "(" + e + ") COLLATE \"C\""
}

// sortCursor is the position after one row of a sorted page: its sort
// values (nil when missing) and rid, and the sort it belongs to.
type sortCursor struct {
	Sort   string `json:"s"`
	Values []any  `json:"k"`
	RID    int64  `json:"r"`
}

// sortSignature names a sort, so that a cursor is not used with another.
func sortSignature(keys []dsn.SortKey) string {
	var parts []string
	for _, k := range keys {
		s := k.Param
		if k.Desc {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

// EncodeSortCursor makes the cursor after a row whose sort values (as
// scanned: int64, float64, string, time or nil) are vals.
func EncodeSortCursor(keys []dsn.SortKey, vals []any, rid int64) string {
	c := sortCursor{Sort: sortSignature(keys), Values: vals, RID: rid}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(append([]byte{'o'}, b...))
}

func decodeSortCursor(s string, keys []dsn.SortKey, kinds []sortKind) (sortCursor, error) {
	bad := Fail(searchOp, dsn.KindInvalid, "cursor")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) == 0 || raw[0] != 'o' {
		return sortCursor{}, bad
	}
	var c sortCursor
	d := json.NewDecoder(strings.NewReader(string(raw[1:])))
	d.UseNumber()
	if d.Decode(&c) != nil || c.Sort != sortSignature(keys) || len(c.Values) != len(keys) {
		return sortCursor{}, bad
	}
	for i, v := range c.Values {
		if v == nil {
			continue
		}
		var ok bool
		switch n, isNum := v.(json.Number); kinds[i] {
		case sortText:
			_, ok = v.(string)
		case sortReal:
			if isNum {
				c.Values[i], err = n.Float64()
				ok = err == nil
			}
		case sortInt, sortInstant:
			if isNum {
				c.Values[i], err = n.Int64()
				ok = err == nil
			}
		}
		if !ok {
			return sortCursor{}, bad
		}
	}
	return c, nil
}
