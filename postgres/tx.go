package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dsn"
	"dsn/internal/sqlstore"
)

// tx is the dsn.Tx handed to one fn inside Store.Write. It runs on the writer
// connection, so it sees the batch's own writes.
type tx struct {
	conn             *pgx.Conn
	ctx              context.Context
	pending          []string          // BEGIN/SAVEPOINT not yet sent; nil once sent
	jobs             []dsn.Job         // AddJob inserts not yet sent, after pending
	began            bool              // this fn opened the batch's transaction
	held             *sqlstore.Held    // the batch's held PutAlls (bulkmerge.go); nil: PutAll writes at once
	mark             int               // where this fn's held writes begin
	creates          *heldCreates      // the batch's held creates (createmerge.go); nil: Put writes at once
	cmark            int               // where this fn's held creates begin
	unsorted         bool              // the indexes are deferred (bulkload.go): PutAll leaves index rows unsorted
	locks            *locks            // the transaction's resource locks (samewrite.go); nil: Read takes none
	asked            []dsn.ResourceKey // the resources this fn's Reads locked or tried to
	busy             bool              // a Read met a lock this transaction may not wait for: the fn runs again alone
	sqlstore.TxState                   // Wrote: dsn_put was sent
}

var _ dsn.Tx = (*tx)(nil)

// fail records a database error and returns it wrapped. A deadlock or
// serialization failure (SQLSTATE class 40) between writers is a conflict the
// client may retry.
func (t *tx) fail(op string, err error) error {
	e := dsn.Wrap(op, dsn.KindInternal, err)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "40") {
		e = sqlstore.ConcurrentWrite(op, err)
	}
	return t.Record(e)
}

// check refuses a Tx used after its fn returned, or after one of its Reads
// met a busy lock (the fn will be rolled back and run again).
func (t *tx) check(op string) error {
	if t.busy {
		return sqlstore.ConcurrentWrite(op, errLockBusy)
	}
	return t.Check(op)
}

// Read is Store.Read inside the transaction: the current version, locked
// until the COMMIT when the transaction takes resource locks (samewrite.go).
func (t *tx) Read(typ, id string) (dsn.Resource, error) {
	const op = "postgres.Tx.Read"
	if err := t.check(op); err != nil {
		return dsn.Resource{}, err
	}
	if t.locks != nil {
		return t.readLocked(op, typ, id) // samewrite.go
	}
	if err := t.flush(); err != nil {
		return dsn.Resource{}, t.fail(op, err)
	}
	r, err := readCurrent(t.ctx, t.conn, op, typ, id)
	if err != nil && dsn.KindOf(err) == dsn.KindInternal {
		t.fail(op, err)
	}
	return r, err
}

// Search is Store.Search inside the transaction.
func (t *tx) Search(q dsn.SearchQuery) (dsn.SearchResult, error) {
	const op = "postgres.Tx.Search"
	if err := t.check(op); err != nil {
		return dsn.SearchResult{}, err
	}
	if err := t.flush(); err != nil {
		return dsn.SearchResult{}, t.fail(op, err)
	}
	res, err := search(t.ctx, t.conn, q)
	if err != nil && dsn.KindOf(err) == dsn.KindInternal {
		t.fail(op, err)
	}
	return res, err
}

// Put stores w as the new current version and replaces its index rows in one
// round trip (the dsn_put function of migration 0001). FHIR R4 http.html#update:
// the version must follow the current one, else KindConflict.
func (t *tx) Put(w dsn.Write) error {
	const op = "postgres.Tx.Put"
	if err := t.check(op); err != nil {
		return err
	}
	if held, err := t.holdCreate(op, &w); held {
		return err // sent with the batch's other creates (createmerge.go)
	}
	if err := t.sendHeld(); err != nil {
		return err
	}
	if err := t.sendCreates(); err != nil {
		return t.fail(op, err)
	}
	var body, index any // nil: SQL NULL
	if !w.Deleted {
		body = string(w.Body)
		ix, err := indexJSON(&w.Index)
		if err != nil {
			return t.fail(op, err)
		}
		index = ix
	}
	cur, err := t.put(w, body, index)
	if err != nil {
		return t.fail(op, err)
	}
	if cur >= 0 {
		return sqlstore.VersionConflict(op, w.Type, w.ID, cur, w.VersionID)
	}
	return nil
}

// put calls dsn_put, sending the pending BEGIN/SAVEPOINT in the same round
// trip (a pgx batch).
func (t *tx) put(w dsn.Write, body, index any) (int64, error) {
	b := &pgx.Batch{}
	n := t.queueUnsent(b)
	b.Queue(sqlPut, w.Type, w.ID, w.VersionID, w.LastUpdated, w.Deleted, w.Method, w.PatientKey, body, index)
	t.Wrote = true
	t.wrote()
	br := t.conn.SendBatch(t.ctx, b)
	defer br.Close()
	for range n {
		if _, err := br.Exec(); err != nil {
			return 0, err
		}
	}
	var cur int64
	err := br.QueryRow().Scan(&cur)
	if err == nil {
		err = br.Close()
	}
	return cur, err
}

// flush sends the pending BEGIN/SAVEPOINT, queued jobs and the batch's held
// PutAlls and creates before a read.
func (t *tx) flush() error {
	if err := t.flushStatements(); err != nil {
		return err
	}
	if err := t.sendHeld(); err != nil {
		return err
	}
	return t.sendCreates()
}

// flushStatements sends the pending BEGIN/SAVEPOINT and queued jobs.
func (t *tx) flushStatements() error {
	switch {
	case len(t.pending) == 0 && len(t.jobs) == 0:
		return nil
	case len(t.jobs) == 0:
		sql := strings.Join(t.pending, "; ")
		t.sent()
		_, err := t.conn.Exec(t.ctx, sql)
		return err
	}
	b := &pgx.Batch{}
	t.queueUnsent(b)
	return t.conn.SendBatch(t.ctx, b).Close()
}

// queueUnsent puts the pending BEGIN/SAVEPOINT and the queued job inserts at
// the head of b, marks them sent and returns how many they are.
func (t *tx) queueUnsent(b *pgx.Batch) int {
	for _, p := range t.pending {
		b.Queue(p)
	}
	for _, j := range t.jobs {
		b.Queue(sqlAddJob, j.Kind, j.Key, j.Created)
	}
	n := len(t.pending) + len(t.jobs)
	t.sent()
	t.jobs = nil
	return n
}

func (t *tx) sent() {
	t.began = t.began || len(t.pending) > 0 && t.pending[0] == "BEGIN"
	t.pending = nil
}
