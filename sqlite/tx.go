package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"dsn"
	"dsn/internal/sqlstore"
)

// tx is the dsn.Tx handed to one fn inside Store.Write. It runs on the writer
// connection, so it sees the batch's own writes.
type tx struct {
	s *Store
	sqlstore.TxState
	mark int // where this fn's held PutAll writes begin (bulkmerge.go)
	// bulk: the fn's Write was a bulk import's (dsn.WithBulkImport); only
	// then may its PutAll raise the writer's page cache (bulksort.go).
	bulk bool
}

var _ dsn.Tx = (*tx)(nil)

// fail records a database error and returns it wrapped.
func (t *tx) fail(op string, err error) error {
	e := dsn.Wrap(op, dsn.KindInternal, err)
	return t.Record(e)
}

// Read is Store.Read inside the transaction.
func (t *tx) Read(typ, id string) (dsn.Resource, error) {
	if err := t.Check("sqlite.Tx.Read"); err != nil {
		return dsn.Resource{}, err
	}
	if err := t.send("sqlite.Tx.Read"); err != nil {
		return dsn.Resource{}, err
	}
	r, err := readCurrent(context.Background(), t.s.wstmt.readCurrent, "sqlite.Tx.Read", typ, id)
	if err != nil && dsn.KindOf(err) == dsn.KindInternal {
		t.fail("sqlite.Tx.Read", err)
	}
	return r, err
}

// Search is Store.Search inside the transaction.
func (t *tx) Search(q dsn.SearchQuery) (dsn.SearchResult, error) {
	if err := t.Check("sqlite.Tx.Search"); err != nil {
		return dsn.SearchResult{}, err
	}
	if err := t.send("sqlite.Tx.Search"); err != nil {
		return dsn.SearchResult{}, err
	}
	res, err := search(context.Background(), writerQuerier{t.s}, q)
	if err != nil && dsn.KindOf(err) == dsn.KindInternal {
		t.fail("sqlite.Tx.Search", err)
	}
	return res, err
}

// Put stores w as the new current version and replaces its index rows
// (FHIR R4 http.html#update: the version must follow the current one).
func (t *tx) Put(w dsn.Write) error {
	const op = "sqlite.Tx.Put"
	if err := t.Check(op); err != nil {
		return err
	}
	if err := t.send(op); err != nil {
		return err
	}
	ctx := context.Background()
	st := &t.s.wstmt
	var rid, cur int64
	exists := false
	// A first version needs no lookup: if the id exists after all, the
	// version insert below breaks UNIQUE (type, id, version) and SQLite
	// backs out that statement alone (sqlite.org/lang_conflict.html, ABORT).
	if w.VersionID != 1 {
		err := st.current.QueryRowContext(ctx, w.Type, w.ID).Scan(&rid, &cur)
		exists = err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return t.fail(op, err)
		}
		if w.VersionID != cur+1 {
			return versionConflict(op, w, cur)
		}
	}
	body := w.Body
	if w.Deleted {
		body = nil
	}
	lu, del := micros(w.LastUpdated), boolInt(w.Deleted)
	rs := &t.s.rstmts
	err := rs.insertVersion.exec(w.Type, w.ID, w.VersionID, lu, del, w.Method, w.PatientKey, body)
	if err != nil && w.VersionID == 1 && constraint(err) {
		// nothing of this Put was written: the transaction goes on
		err = st.current.QueryRowContext(ctx, w.Type, w.ID).Scan(&rid, &cur)
		if err != nil {
			return t.fail(op, err)
		}
		return versionConflict(op, w, cur)
	}
	t.Wrote = true
	if err != nil {
		return t.fail(op, fmt.Errorf("insert version: %w", err))
	}
	seq := t.s.raw.lastInsertID()
	if exists {
		if err := rs.updateResource.exec(w.VersionID, seq, lu, del, w.PatientKey, rid); err != nil {
			return t.fail(op, fmt.Errorf("update resource: %w", err))
		}
		for _, c := range rs.clear {
			if err := c.exec(rid); err != nil {
				return t.fail(op, fmt.Errorf("clear index: %w", err))
			}
		}
	} else {
		if err := rs.insertResource.exec(w.Type, w.ID, w.VersionID, seq, lu, del, w.PatientKey); err != nil {
			return t.fail(op, fmt.Errorf("insert resource: %w", err))
		}
		rid = t.s.raw.lastInsertID()
	}
	if w.Deleted {
		return nil // a tombstone has no index rows: deleted resources are not searchable
	}
	if err := t.insertIndex(ctx, rid, w); err != nil {
		return t.fail(op, fmt.Errorf("insert index: %w", err))
	}
	return nil
}

func versionConflict(op string, w dsn.Write, cur int64) error {
	return sqlstore.VersionConflict(op, w.Type, w.ID, cur, w.VersionID)
}

// constraint tells a constraint violation (SQLITE_CONSTRAINT, sqlite.org/rescode.html).
func constraint(err error) bool {
	code, ok := resultCode(err)
	return ok && code&0xff == 19
}
