package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"dsn"
)

// tx is the dsn.Tx handed to one fn inside Store.Write. It runs on the writer
// connection, so it sees the batch's own writes.
type tx struct {
	s        *Store
	failed   error // first database error, so a fn that ignores it is still rolled back
	finished bool  // set when fn returned: a kept Tx must not be used again
	wrote    bool  // a write statement ran: undoing the fn needs a rollback
}

var _ dsn.Tx = (*tx)(nil)

func (t *tx) check(op string) error {
	if t.finished {
		return dsn.Errorf(op, dsn.KindInternal, "transaction used after its Write returned")
	}
	return nil
}

// fail records a database error and returns it wrapped.
func (t *tx) fail(op string, err error) error {
	e := dsn.Wrap(op, dsn.KindInternal, err)
	if t.failed == nil {
		t.failed = e
	}
	return e
}

// Read is Store.Read inside the transaction.
func (t *tx) Read(typ, id string) (dsn.Resource, error) {
	if err := t.check("sqlite.Tx.Read"); err != nil {
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
	if err := t.check("sqlite.Tx.Search"); err != nil {
		return dsn.SearchResult{}, err
	}
	res, err := search(context.Background(), connQuerier{t.s.wconn}, q)
	if err != nil && dsn.KindOf(err) == dsn.KindInternal {
		t.fail("sqlite.Tx.Search", err)
	}
	return res, err
}

// Put stores w as the new current version and replaces its index rows
// (FHIR R4 http.html#update: the version must follow the current one).
func (t *tx) Put(w dsn.Write) error {
	const op = "sqlite.Tx.Put"
	if err := t.check(op); err != nil {
		return err
	}
	ctx := context.Background()
	st := &t.s.wstmt
	var rid, cur int64
	err := st.current.QueryRowContext(ctx, w.Type, w.ID).Scan(&rid, &cur)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return t.fail(op, err)
	}
	if w.VersionID != cur+1 {
		return dsn.Errorf(op, dsn.KindConflict,
			"conflit de version pour %s/%s : version courante %d, version proposée %d", w.Type, w.ID, cur, w.VersionID)
	}
	body := w.Body
	if w.Deleted {
		body = nil
	}
	lu, del := micros(w.LastUpdated), boolInt(w.Deleted)
	t.wrote = true
	res, err := st.insertVersion.ExecContext(ctx, w.Type, w.ID, w.VersionID, lu, del, w.Method, w.PatientKey, body)
	if err != nil {
		return t.fail(op, fmt.Errorf("insert version: %w", err))
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return t.fail(op, err)
	}
	if exists {
		if _, err := st.updateResource.ExecContext(ctx, w.VersionID, seq, lu, del, w.PatientKey, rid); err != nil {
			return t.fail(op, fmt.Errorf("update resource: %w", err))
		}
		for _, c := range st.clear {
			if _, err := c.ExecContext(ctx, rid); err != nil {
				return t.fail(op, fmt.Errorf("clear index: %w", err))
			}
		}
	} else {
		res, err := st.insertResource.ExecContext(ctx, w.Type, w.ID, w.VersionID, seq, lu, del, w.PatientKey)
		if err != nil {
			return t.fail(op, fmt.Errorf("insert resource: %w", err))
		}
		if rid, err = res.LastInsertId(); err != nil {
			return t.fail(op, err)
		}
	}
	if w.Deleted {
		return nil // a tombstone has no index rows: deleted resources are not searchable
	}
	if err := t.insertIndex(ctx, rid, w); err != nil {
		return t.fail(op, fmt.Errorf("insert index: %w", err))
	}
	return nil
}
