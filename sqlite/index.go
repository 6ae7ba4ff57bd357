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

// indexColumns are the columns of each index table after rid, type and
// patient_key (shared with PostgreSQL).
var indexColumns = sqlstore.IndexColumns

// insertIndex writes the index rows of w for resource rid.
func (t *tx) insertIndex(ctx context.Context, rid int64, w dsn.Write) error {
	rows := map[string][][]any{}
	indexRows(&w.Index, func(table string, vals ...any) { rows[table] = append(rows[table], vals) })
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

// indexRows is sqlstore.IndexRows: the one list of which row goes to which table.
var indexRows = sqlstore.IndexRows

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
