package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"dsn"
	"dsn/internal/sqlstore"
)

// Index rows are inserted with one multi-row INSERT … VALUES per table and per
// chunk of rows. Besides the search translator, this is the only SQL built at
// run time: table and column names come from the constants below and only the
// row count varies, so each shape is prepared once. (Unpacking a JSON array with
// json_each cost 35 % more CPU per create, measured.)
const maxRowsPerInsert = 32

var indexColumns = map[string][]string{
	"idx_token":     {"param", "system", "code", "text"},
	"idx_string":    {"param", "norm", "exact"},
	"idx_date":      {"param", "low", "high"},
	"idx_reference": {"param", "ref_type", "ref_id", "url"},
	"idx_quantity":  {"param", "value", "system", "code", "unit", "low", "high"},
	"idx_number":    {"param", "value"},
	"idx_uri":       {"param", "uri"},
	// migration 0002
	"idx_composite":       append([]string{"param"}, sqlstore.CompositeColumns()...),
	"idx_identifier_type": {"param", "type_system", "type_code", "value"},
	"idx_ref_identifier":  {"param", "system", "value"},
}

// insertIndex writes the index rows of w for resource rid.
func (t *tx) insertIndex(ctx context.Context, rid int64, w dsn.Write) error {
	ix := &w.Index
	rows := map[string][][]any{}
	add := func(table string, vals ...any) { rows[table] = append(rows[table], vals) }
	for _, k := range ix.Tokens {
		add("idx_token", k.Param, k.System, k.Code, sqlstore.Normalize(k.Text))
	}
	for _, k := range ix.Strings {
		add("idx_string", k.Param, k.Norm, k.Exact)
	}
	for _, k := range ix.Dates {
		add("idx_date", k.Param, sqlstore.RangeLow(k.Low), sqlstore.RangeHigh(k.High))
	}
	for _, k := range ix.References {
		add("idx_reference", k.Param, k.Type, k.ID, k.URL)
	}
	for _, k := range ix.Quantities {
		lo, hi := sqlstore.QuantitySpan(k)
		add("idx_quantity", k.Param, k.Value, k.System, k.Code, k.Unit, lo, hi)
	}
	for _, k := range ix.Numbers {
		add("idx_number", k.Param, k.Value)
	}
	for _, k := range ix.URIs {
		add("idx_uri", k.Param, k.URI)
	}
	for _, k := range ix.Composites {
		if a := sqlstore.CompositeArgs(k); a != nil {
			add("idx_composite", append([]any{k.Param}, a...)...)
		}
	}
	for _, k := range ix.IdentifierTypes {
		add("idx_identifier_type", k.Param, k.TypeSystem, k.TypeCode, k.Value)
	}
	for _, k := range ix.RefIdentifiers {
		add("idx_ref_identifier", k.Param, k.System, k.Code)
	}
	for table, rs := range rows {
		for len(rs) > 0 {
			n := min(len(rs), maxRowsPerInsert)
			if err := t.s.insertRows(ctx, table, rid, w.Type, w.PatientKey, rs[:n]); err != nil {
				return err
			}
			rs = rs[n:]
		}
	}
	return nil
}

// insertRows runs the n-row INSERT of table, preparing it on first use. Only
// the writer goroutine calls it, so the cache needs no lock.
func (s *Store) insertRows(ctx context.Context, table string, rid int64, typ, patientKey string, rs [][]any) error {
	key := table + "/" + strconv.Itoa(len(rs))
	stmt, ok := s.inserts[key]
	if !ok {
		var err error
		if stmt, err = s.wconn.PrepareContext(ctx, insertSQL(table, len(rs))); err != nil {
			return err
		}
		s.inserts[key] = stmt
	}
	args := make([]any, 0, len(rs)*(3+len(rs[0])))
	for _, r := range rs {
		args = append(append(args, rid, typ, patientKey), r...)
	}
	_, err := stmt.ExecContext(ctx, args...)
	return err
}

// insertSQL is the n-row INSERT OR IGNORE of an index table (identical rows of
// one resource collapse into one: the primary key covers every column).
func insertSQL(table string, n int) string {
	cols := indexColumns[table]
	row := "(?, ?, ?" + strings.Repeat(", ?", len(cols)) + ")"
	return "INSERT OR IGNORE INTO " + table + " (rid, type, patient_key, " + strings.Join(cols, ", ") +
		") VALUES " + strings.Repeat(row+", ", n-1) + row
}

func closeAll(stmts map[string]*sql.Stmt) {
	for _, s := range stmts {
		s.Close()
	}
}
