package sqlite

import (
	"cmp"
	"slices"
)

// indexKeys are the columns of each index table's primary key (the
// composite table's first index), from migrations 0002 and 0007.
var indexKeys = map[string][]string{
	"idx_token":           {"type", "param", "code", "system", "rid", "text"},
	"idx_string":          {"type", "param", "norm", "exact", "rid"},
	"idx_date":            {"type", "param", "low", "high", "rid"},
	"idx_reference":       {"type", "param", "ref_id", "ref_type", "url", "rid"},
	"idx_quantity":        {"type", "param", "value", "system", "code", "unit", "rid"},
	"idx_number":          {"type", "param", "value", "rid"},
	"idx_uri":             {"type", "param", "uri", "rid"},
	"idx_composite":       {"type", "param", "c1", "s1", "rid"},
	"idx_identifier_type": {"type", "param", "value", "type_code", "type_system", "rid"},
	"idx_ref_identifier":  {"type", "param", "value", "system", "rid"},
}

// sortIndexRows orders the rows of table (laid out as indexInsertCols) by
// the table's key. The bulk path inserts thousands of rows per table and
// transaction: in key order, consecutive inserts land on the same B-tree
// leaf, so fewer pages are visited, split and written to the WAL than with
// rows in resource order (sqlite.org/fileformat2.html#b_tree_pages).
func sortIndexRows(table string, rows [][]any) {
	cols := indexInsertCols(table)
	var pos []int
	for _, k := range indexKeys[table] {
		if i := slices.Index(cols, k); i >= 0 {
			pos = append(pos, i)
		}
	}
	slices.SortFunc(rows, func(a, b []any) int {
		for _, i := range pos {
			if c := compareValues(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
}

// compareValues orders two column values as SQLite does for the types the
// index rows hold: NULL first, numbers, then text by bytes (BINARY collation,
// sqlite.org/datatype3.html#sort_order).
func compareValues(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch x := a.(type) {
	case string:
		return cmp.Compare(x, b.(string))
	case int64, float64, int:
		return cmp.Compare(toFloat(a), toFloat(b))
	}
	return 0
}

func rank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case int64, float64, int:
		return 1
	case string:
		return 2
	}
	return 3
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
