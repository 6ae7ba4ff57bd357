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

// insertIndex writes the index rows of w for resource rid. IndexRows gives
// the rows of one table one after another, so each run of rows becomes one
// multi-row INSERT (up to maxRowsPerInsert rows); rid, type and patient_key,
// the same for every row of w, are bound once per statement (?1, ?2, ?3)
// instead of once per row: every text argument costs the driver a C string
// (malloc, copy, free), and binding was ~19 % of the writer's CPU
// (docs/decisions/0012-import-ceiling.md).
func (t *tx) insertIndex(ctx context.Context, rid int64, w dsn.Write) error {
	s := t.s
	args := append(s.indexArgs[:0], rid, w.Type, w.PatientKey)
	table, n := "", 0
	var err error
	flush := func() {
		if n > 0 && err == nil {
			err = s.insertRows(ctx, table, n, args)
		}
		args, n = args[:3], 0
	}
	indexRows(&w.Index, func(tb string, vals ...any) {
		if tb != table || n == maxRowsPerInsert {
			flush()
			table = tb
		}
		args = append(args, vals...)
		n++
	})
	flush()
	clear(args)
	s.indexArgs = args[:0]
	return err
}

// indexRows is sqlstore.IndexRows: the one list of which row goes to which table.
var indexRows = sqlstore.IndexRows

// insertRows runs the n-row INSERT of table (args: rid, type, patient_key,
// then each row's values), preparing it on first use. Only the writer
// goroutine calls it, so the cache needs no lock.
func (s *Store) insertRows(ctx context.Context, table string, n int, args []any) error {
	key := table + "/" + strconv.Itoa(n)
	stmt, ok := s.inserts[key]
	if !ok {
		var err error
		if stmt, err = s.raw.prepare(insertSQL(table, n)); err != nil {
			return err
		}
		s.inserts[key] = stmt
	}
	return stmt.exec(args...)
}

// insertSQL is the n-row INSERT OR IGNORE of an index table (identical rows of
// one resource collapse into one: the primary key covers every column). Every
// row takes rid, type and patient_key from ?1, ?2, ?3; its own values follow
// in numbered parameters from ?4 on.
func insertSQL(table string, n int) string {
	cols := indexColumns[table]
	var b strings.Builder
	b.WriteString("INSERT OR IGNORE INTO " + table + " (rid, type, patient_key, " + strings.Join(cols, ", ") + ") VALUES ")
	p := 4
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?1, ?2, ?3")
		for range cols {
			b.WriteString(", ?" + strconv.Itoa(p))
			p++
		}
		b.WriteString(")")
	}
	return b.String()
}

func closeAll(stmts map[string]*sql.Stmt) {
	for _, s := range stmts {
		s.Close()
	}
}
