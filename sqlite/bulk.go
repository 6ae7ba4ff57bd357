package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"dsn"
	"dsn/internal/sqlstore"
)

// bulkRows is the largest row count of one multi-row INSERT on the bulk path;
// smaller remainders are cut in powers of two, so each table has at most nine
// prepared shapes.
const bulkRows = 256

var (
	_ dsn.BulkTx     = (*tx)(nil)
	_ dsn.BulkJobsTx = (*tx)(nil)
)

// AddJobs queues js with multi-row INSERTs (dsn.BulkJobsTx).
func (t *tx) AddJobs(js []dsn.Job) error {
	const op = "sqlite.Tx.AddJobs"
	if err := t.Check(op); err != nil {
		return err
	}
	rows := make([][]any, len(js))
	for i, j := range js {
		rows[i] = []any{j.Kind, j.Key, micros(j.Created)}
	}
	t.Wrote = true
	if err := t.s.insertMany(context.Background(), "job", jobCols, rows); err != nil {
		return t.fail(op, fmt.Errorf("insert jobs: %w", err))
	}
	return nil
}

var jobCols = []string{"kind", "key", "created"}

// PutAll stores ws in the writer's transaction with multi-row INSERTs: one
// statement per 256 versions, resources and index rows of each table, instead
// of a handful of statements per resource (dsn.BulkTx). New seqs and rids are
// allocated here (the writer is the only one writing); a new id that already
// exists hits the UNIQUE constraints and is reported as KindConflict.
func (t *tx) PutAll(ws []dsn.Write) error {
	const op = "sqlite.Tx.PutAll"
	if err := t.Check(op); err != nil {
		return err
	}
	if err := sqlstore.Distinct(op, ws); err != nil {
		return err
	}
	if t.bulk && len(ws) >= bulkCacheMinBatch {
		if err := t.s.bulkCache(context.Background()); err != nil {
			return t.fail(op, err)
		}
	}
	if held, err := t.hold(op, ws); held {
		return err // sent with the batch's other PutAlls (bulkmerge.go)
	}
	return t.putAll(op, ws)
}

// putAll writes ws at once.
func (t *tx) putAll(op string, ws []dsn.Write) error {
	ctx := context.Background()
	b, err := t.plan(ctx, op, ws)
	if err != nil {
		return err
	}
	t.Wrote = true
	if err := t.s.insertMany(ctx, "resource_version", versionCols9, b.versions); err != nil {
		return t.bulkFail(op, "insert versions", err)
	}
	if err := t.s.insertMany(ctx, "resource", resourceCols8, b.resources); err != nil {
		return t.bulkFail(op, "insert resources", err)
	}
	for _, u := range b.updates {
		if err := t.s.rstmts.updateResource.exec(u...); err != nil {
			return t.fail(op, fmt.Errorf("update resource: %w", err))
		}
		rid := u[len(u)-1]
		for _, c := range t.s.rstmts.clear {
			if err := c.exec(rid); err != nil {
				return t.fail(op, fmt.Errorf("clear index: %w", err))
			}
		}
	}
	for table, rows := range b.index {
		if err := t.s.insertIndexMany(ctx, table, rows); err != nil {
			return t.fail(op, fmt.Errorf("insert %s: %w", table, err))
		}
	}
	return nil
}

// bulkPlan is the rows PutAll inserts, built before the first write.
type bulkPlan struct {
	versions, resources [][]any
	updates             [][]any // arguments of sqlUpdateResource (rid last)
	index               map[string][][]any
}

// plan numbers the new versions and resources and reads the rid of the
// resources that already exist (a version conflict is found here, before
// anything is written).
func (t *tx) plan(ctx context.Context, op string, ws []dsn.Write) (*bulkPlan, error) {
	var seq, rid int64
	err := t.s.wconn.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'resource_version'), 0),
		COALESCE((SELECT MAX(rid) FROM resource), 0)`).Scan(&seq, &rid)
	if err != nil {
		return nil, t.fail(op, err)
	}
	b := &bulkPlan{}
	rids := make([]int64, len(ws))
	for i, w := range ws {
		seq++
		lu, del := micros(w.LastUpdated), boolInt(w.Deleted)
		var body any
		if !w.Deleted {
			body = w.Body
		}
		b.versions = append(b.versions, []any{seq, w.Type, w.ID, w.VersionID, lu, del, w.Method, w.PatientKey, body})
		r := int64(0)
		if w.VersionID == 1 {
			rid++
			r = rid
			b.resources = append(b.resources, []any{r, w.Type, w.ID, w.VersionID, seq, lu, del, w.PatientKey})
		} else {
			var cur int64
			if err := t.s.wstmt.current.QueryRowContext(ctx, w.Type, w.ID).Scan(&r, &cur); err != nil || cur != w.VersionID-1 {
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return nil, t.fail(op, err)
				}
				return nil, sqlstore.VersionConflict(op, w.Type, w.ID, cur, w.VersionID)
			}
			b.updates = append(b.updates, []any{w.VersionID, seq, lu, del, w.PatientKey, r})
		}
		rids[i] = r
	}
	// Made and sorted on all cores while the writer waits: the writer is the
	// import's serial stage (docs/decisions/0012-import-ceiling.md), and
	// making the rows inline was ~11 % of its CPU (docs/benchmarks.md, session 8).
	b.index = sqlstore.BulkIndexRows(ws, rids)
	sortAll(b.index)
	return b, nil
}

// bulkFail reports a UNIQUE violation (an id created since the caller read
// it) as a version conflict, anything else as a database error.
func (t *tx) bulkFail(op, what string, err error) error {
	if constraint(err) {
		return t.Record(sqlstore.CreatedMeanwhile(op, err))
	}
	return t.fail(op, fmt.Errorf("%s: %w", what, err))
}

var (
	versionCols9  = []string{"seq", "type", "id", "version", "last_updated", "deleted", "method", "patient_key", "body"}
	resourceCols8 = []string{"rid", "type", "id", "version", "seq", "last_updated", "deleted", "patient_key"}
)

// indexInsertCols are the columns of an index table in the order indexRows
// fills them, after rid, type and patient_key.
func indexInsertCols(table string) []string {
	return append([]string{"rid", "type", "patient_key"}, indexColumns[table]...)
}

// insertMany inserts rows into table, bulkRows per statement.
func (s *Store) insertMany(ctx context.Context, table string, cols []string, rows [][]any) error {
	for len(rows) > 0 {
		n := bulkRows
		for n > len(rows) {
			n /= 2
		}
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if err := s.execBulk(ctx, "bulk/"+table+"/"+fmt.Sprint(n), args, func() string {
			return multiInsertSQL(table, cols, n)
		}); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// insertIndexMany inserts sorted index rows (laid out as indexInsertCols)
// into table, at most bulkRows per statement like insertMany. A run of at
// least minSharedRows rows with the same type and param (the rows are sorted
// by type and param, and an import batch comes from one file, so one type)
// goes in statements that bind those two once instead of once per row: each
// text argument costs the driver a C string (malloc, copy, free after the
// statement), ~25 % of the bulk writer's time (docs/benchmarks.md, session
// 7), and two of an index row's five to seven text arguments are type and
// param. The rows between such runs go in ordinary multi-row INSERTs.
func (s *Store) insertIndexMany(ctx context.Context, table string, rows [][]any) error {
	cols := indexInsertCols(table)
	for len(rows) > 0 {
		n := sameTypeParamRun(rows, bulkRows)
		if n < minSharedRows {
			// up to the next run worth a shared statement
			n = 0
			for n < len(rows) && n < bulkRows {
				r := sameTypeParamRun(rows[n:], minSharedRows)
				if r == minSharedRows && n > 0 {
					break
				}
				n += r
			}
			n = pow2Floor(min(n, bulkRows))
			if err := s.insertMany(ctx, table, cols, rows[:n]); err != nil {
				return err
			}
			rows = rows[n:]
			continue
		}
		n = pow2Floor(n)
		text := textColumns(table, cols)
		args := make([]any, 0, n*(len(cols)-2)+2)
		for _, r := range rows[:n] {
			args = append(args, r[0], r[2])
			for j, v := range r[4:] {
				if text[4+j] && v == "" {
					v = nil // sent as NULL, stored as '' (sharedInsertSQL)
				}
				args = append(args, v)
			}
		}
		args = append(args, rows[0][1], rows[0][3])
		if err := s.execBulk(ctx, "bulk-tp/"+table+"/"+fmt.Sprint(n), args, func() string {
			return sharedInsertSQL(table, cols, n)
		}); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// minSharedRows is the shortest run of index rows with one type and param
// given its own statement (a statement costs more than binding a few
// rows' type and param).
const minSharedRows = 32

// sameTypeParamRun is the number of leading rows, at most limit, with the
// first row's type and param (columns 1 and 3 of indexInsertCols).
func sameTypeParamRun(rows [][]any, limit int) int {
	typ, param := rows[0][1], rows[0][3]
	n := 1
	for n < len(rows) && n < limit && rows[n][1] == typ && rows[n][3] == param {
		n++
	}
	return n
}

// pow2Floor is the largest power of two ≤ n (n ≥ 1): the statement sizes
// prepared (at most nine per table and kind).
func pow2Floor(n int) int {
	p := 1
	for p*2 <= n {
		p *= 2
	}
	return p
}

// execBulk runs the bulk statement key (prepared from sql() the first time)
// with args.
func (s *Store) execBulk(ctx context.Context, key string, args []any, sql func() string) error {
	stmt, ok := s.inserts[key]
	if !ok {
		var err error
		if stmt, err = s.raw.prepare(sql()); err != nil {
			return err
		}
		s.inserts[key] = stmt
	}
	return stmt.exec(args...)
}

// sharedInsertSQL is the n-row INSERT OR IGNORE of index rows (cols as
// indexInsertCols) whose type and param are the same: each row binds its
// other columns (rid, patient_key, the table's own), and type and param are
// the statement's last two arguments. An empty text value is bound as NULL
// and stored as the empty string (every text column of the index tables is NOT NULL, so
// no NULL is ever meant): binding NULL allocates nothing, and a quarter of
// the text values are empty (a token's system or display, a reference's
// url, a composite's unused parts). The rows still go through one
// multi-row VALUES (sqlite.org/lang_select.html#values); the one-row join
// adds nothing per row that the binding saved.
func sharedInsertSQL(table string, cols []string, n int) string {
	text := textColumns(table, cols)
	sel := make([]string, len(cols))
	k := 0
	for i := range cols {
		switch {
		case i == 1:
			sel[i] = "s.t"
		case i == 3:
			sel[i] = "s.p"
		case text[i]:
			k++
			sel[i] = fmt.Sprintf("ifnull(v.column%d, '')", k)
		default:
			k++
			sel[i] = fmt.Sprintf("v.column%d", k)
		}
	}
	row := "(?" + strings.Repeat(", ?", k-1) + ")"
	return "INSERT OR IGNORE INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(sel, ", ") +
		" FROM (VALUES " + strings.Repeat(row+", ", n-1) + row + ") AS v, (SELECT ? AS t, ? AS p) AS s"
}

// textColumns says which of cols (as indexInsertCols) are text: all but
// rid and the numbers of idx_date, idx_quantity, idx_number and
// idx_composite (migrations 0001, 0002; TestTextColumnsMatchSchema checks
// them against the schema).
func textColumns(table string, cols []string) []bool {
	text := make([]bool, len(cols))
	for i, c := range cols {
		switch {
		case c == "rid":
		case table == "idx_date" && (c == "low" || c == "high"):
		case table == "idx_quantity" && (c == "value" || c == "low" || c == "high"):
		case table == "idx_number" && c == "value":
		case table == "idx_composite" && slices.Contains([]string{"lo", "hi", "dlo", "dhi"}, strings.TrimRight(c, "123")):
		default:
			text[i] = true
		}
	}
	return text
}

// multiInsertSQL is the n-row INSERT of cols into table. Index tables use
// INSERT OR IGNORE like Put (identical rows of one resource collapse); the
// resource tables a plain INSERT, so that an existing id is an error.
func multiInsertSQL(table string, cols []string, n int) string {
	verb := "INSERT INTO "
	if strings.HasPrefix(table, "idx_") {
		verb = "INSERT OR IGNORE INTO "
	}
	row := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	return verb + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.Repeat(row+", ", n-1) + row
}
