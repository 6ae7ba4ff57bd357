package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// The fixed SQL of the adapter. Only search.go builds SQL at run time.
const (
	versionCols = `v.type, v.id, v.version, v.last_updated, v.deleted, v.method, v.body`

	sqlReadCurrent = `SELECT ` + versionCols + ` FROM resource r
		JOIN resource_version v ON v.seq = r.seq WHERE r.type = ? AND r.id = ?`
	sqlVRead = `SELECT ` + versionCols + ` FROM resource_version v
		WHERE v.type = ? AND v.id = ? AND v.version = ?`
	sqlCurrent       = `SELECT rid, version FROM resource WHERE type = ? AND id = ?`
	sqlInsertVersion = `INSERT INTO resource_version
		(type, id, version, last_updated, deleted, method, patient_key, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertResource = `INSERT INTO resource
		(type, id, version, seq, last_updated, deleted, patient_key) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateResource = `UPDATE resource
		SET version = ?, seq = ?, last_updated = ?, deleted = ?, patient_key = ? WHERE rid = ?`

	// Index rows go in one statement per table: the rows of a resource travel as
	// one JSON array of arrays unpacked by json_each (sqlite.org/json1.html#jeach),
	// which costs far less than one statement per row.
	sqlInsToken = `INSERT OR IGNORE INTO idx_token (rid, type, patient_key, param, system, code, text)
		SELECT ?, ?, ?, j.value->>0, j.value->>1, j.value->>2, j.value->>3 FROM json_each(?) j`
	sqlInsString = `INSERT OR IGNORE INTO idx_string (rid, type, patient_key, param, norm, exact)
		SELECT ?, ?, ?, j.value->>0, j.value->>1, j.value->>2 FROM json_each(?) j`
	sqlInsDate = `INSERT OR IGNORE INTO idx_date (rid, type, patient_key, param, low, high)
		SELECT ?, ?, ?, j.value->>0, j.value->>1, j.value->>2 FROM json_each(?) j`
	sqlInsReference = `INSERT OR IGNORE INTO idx_reference (rid, type, patient_key, param, ref_type, ref_id, url)
		SELECT ?, ?, ?, j.value->>0, j.value->>1, j.value->>2, j.value->>3 FROM json_each(?) j`
	sqlInsQuantity = `INSERT OR IGNORE INTO idx_quantity (rid, type, patient_key, param, value, system, code, unit)
		SELECT ?, ?, ?, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4 FROM json_each(?) j`
	sqlInsNumber = `INSERT OR IGNORE INTO idx_number (rid, type, patient_key, param, value)
		SELECT ?, ?, ?, j.value->>0, j.value->>1 FROM json_each(?) j`
	sqlInsURI = `INSERT OR IGNORE INTO idx_uri (rid, type, patient_key, param, uri)
		SELECT ?, ?, ?, j.value->>0, j.value->>1 FROM json_each(?) j`
)

// indexTables are the typed index tables, cleared for a resource on each write.
var indexTables = []string{"idx_token", "idx_string", "idx_date", "idx_reference",
	"idx_quantity", "idx_number", "idx_uri"}

// stmts holds prepared statements; reads are prepared on both the read pool and
// the writer (Tx.Read must see the transaction's own writes), writes on the
// writer only.
type stmts struct {
	readCurrent, vread *sql.Stmt

	// transaction control of the group commit, prepared once (parsing them at
	// every batch and every fn showed in profiles)
	begin, savepoint, release, rollbackTo, commit *sql.Stmt

	current, insertVersion, insertResource, updateResource *sql.Stmt
	clear                                                  []*sql.Stmt // one per index table
	insToken, insString, insDate, insReference             *sql.Stmt
	insQuantity, insNumber, insURI                         *sql.Stmt
}

type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func (st *stmts) prepare(ctx context.Context, p preparer, write bool) error {
	list := []struct {
		dst **sql.Stmt
		sql string
	}{{&st.readCurrent, sqlReadCurrent}, {&st.vread, sqlVRead}}
	if write {
		list = append(list, []struct {
			dst **sql.Stmt
			sql string
		}{
			{&st.begin, "BEGIN IMMEDIATE"}, {&st.savepoint, "SAVEPOINT w"}, {&st.release, "RELEASE w"},
			{&st.rollbackTo, "ROLLBACK TO w"}, {&st.commit, "COMMIT"},
			{&st.current, sqlCurrent}, {&st.insertVersion, sqlInsertVersion},
			{&st.insertResource, sqlInsertResource}, {&st.updateResource, sqlUpdateResource},
			{&st.insToken, sqlInsToken}, {&st.insString, sqlInsString}, {&st.insDate, sqlInsDate},
			{&st.insReference, sqlInsReference}, {&st.insQuantity, sqlInsQuantity},
			{&st.insNumber, sqlInsNumber}, {&st.insURI, sqlInsURI},
		}...)
		st.clear = make([]*sql.Stmt, len(indexTables))
		for i, t := range indexTables {
			list = append(list, struct {
				dst **sql.Stmt
				sql string
			}{&st.clear[i], "DELETE FROM " + t + " WHERE rid = ?"})
		}
	}
	for _, s := range list {
		stmt, err := p.PrepareContext(ctx, s.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", s.sql, err)
		}
		*s.dst = stmt
	}
	return nil
}

func (st *stmts) close() {
	all := append([]*sql.Stmt{st.readCurrent, st.vread, st.begin, st.savepoint, st.release,
		st.rollbackTo, st.commit, st.current, st.insertVersion,
		st.insertResource, st.updateResource, st.insToken, st.insString, st.insDate,
		st.insReference, st.insQuantity, st.insNumber, st.insURI}, st.clear...)
	for _, s := range all {
		if s != nil {
			s.Close()
		}
	}
}
