package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"dsn/internal/sqlstore"
)

// The fixed SQL of the adapter. Only the search translator
// (internal/sqlstore) builds SQL at run time.
const (
	versionCols = sqlstore.VersionCols

	// a read by type and id selects the version's other columns only
	// (sqlstore.KeyedCols): the caller knows the two it asked for
	sqlReadCurrent = `SELECT ` + sqlstore.KeyedCols + ` FROM resource r
		JOIN resource_version v ON v.seq = r.seq WHERE r.type = ? AND r.id = ?`
	sqlVRead = `SELECT ` + sqlstore.KeyedCols + ` FROM resource_version v
		WHERE v.type = ? AND v.id = ? AND v.version = ?`
	sqlCurrent       = `SELECT rid, version FROM resource WHERE type = ? AND id = ?`
	sqlInsertVersion = `INSERT INTO resource_version
		(type, id, version, last_updated, deleted, method, patient_key, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertResource = `INSERT INTO resource
		(type, id, version, seq, last_updated, deleted, patient_key) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateResource = `UPDATE resource
		SET version = ?, seq = ?, last_updated = ?, deleted = ?, patient_key = ? WHERE rid = ?`
)

// indexTables are the typed index tables, cleared for a resource on each write.
var indexTables = []string{"idx_token", "idx_string", "idx_date", "idx_reference",
	"idx_quantity", "idx_number", "idx_uri", "idx_composite", "idx_identifier_type", "idx_ref_identifier"}

// stmts holds prepared statements; reads are prepared on both the read pool and
// the writer (Tx.Read must see the transaction's own writes), writes on the
// writer only.
type stmts struct {
	readCurrent, vread *sql.Stmt

	// transaction control of the group commit, prepared once (parsing them at
	// every batch and every fn showed in profiles)
	begin, savepoint, release, rollbackTo, commit *sql.Stmt

	// the version, resource and index writes are rawStmts (rawstmt.go)
	current *sql.Stmt

	// the job queue: every Patient create queues one job and the linker
	// deletes it; parsing the SQL each time cost the writer ~20 µs per create
	// (docs/benchmarks.md, session 9, patientcreate)
	addJob, deleteJob *sql.Stmt
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
			{&st.current, sqlCurrent},
			{&st.addJob, sqlAddJob}, {&st.deleteJob, sqlDeleteJob},
		}...)
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
	all := []*sql.Stmt{st.readCurrent, st.vread, st.begin, st.savepoint, st.release,
		st.rollbackTo, st.commit, st.current, st.addJob, st.deleteJob}
	for _, s := range all {
		if s != nil {
			s.Close()
		}
	}
}

// rawStmts are the writer's per-resource write statements on its C handle
// (rawstmt.go): a create runs two of them and an update eleven.
type rawStmts struct {
	insertVersion, insertResource, updateResource *rawStmt
	clear                                         []*rawStmt // one per index table
}

func (rs *rawStmts) prepare(r *rawConn) error {
	list := []struct {
		dst **rawStmt
		sql string
	}{{&rs.insertVersion, sqlInsertVersion}, {&rs.insertResource, sqlInsertResource}, {&rs.updateResource, sqlUpdateResource}}
	rs.clear = make([]*rawStmt, len(indexTables))
	for i, t := range indexTables {
		list = append(list, struct {
			dst **rawStmt
			sql string
		}{&rs.clear[i], "DELETE FROM " + t + " WHERE rid = ?"})
	}
	for _, s := range list {
		stmt, err := r.prepare(s.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", s.sql, err)
		}
		*s.dst = stmt
	}
	return nil
}

func (rs *rawStmts) close() {
	rs.insertVersion.close()
	rs.insertResource.close()
	rs.updateResource.close()
	for _, c := range rs.clear {
		c.close()
	}
}
