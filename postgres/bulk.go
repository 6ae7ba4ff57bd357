package postgres

import (
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

var (
	_ dsn.BulkTx     = (*tx)(nil)
	_ dsn.BulkJobsTx = (*tx)(nil)
)

// sqlAddJobs queues many jobs with one statement (dsn.BulkJobsTx).
const sqlAddJobs = `INSERT INTO job (kind, key, created)
	SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])`

// AddJobs queues js in one statement, after the pending Puts (dsn.BulkJobsTx).
func (t *tx) AddJobs(js []dsn.Job) error {
	const op = "postgres.Tx.AddJobs"
	if err := t.Check(op); err != nil {
		return err
	}
	if len(js) == 0 {
		return nil
	}
	kinds, keys, created := make([]string, len(js)), make([]string, len(js)), make([]time.Time, len(js))
	for i, j := range js {
		kinds[i], keys[i], created[i] = j.Kind, j.Key, j.Created
	}
	b := &pgx.Batch{}
	t.queueUnsent(b)
	b.Queue(sqlAddJobs, kinds, keys, created)
	t.Wrote = true
	if err := t.conn.SendBatch(t.ctx, b).Close(); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// The fixed SQL of the bulk path. Seqs and rids are taken from the identity
// sequences beforehand, so that COPY can write the rows with their keys
// (COPY FROM writes identity columns as given, like OVERRIDING SYSTEM VALUE:
// postgresql.org/docs/15/sql-copy.html). The sequences are named as literals,
// like dsn_create's: pg_get_serial_sequence is STABLE, not folded, and scanned
// pg_depend once per generated row (3.2 % of the backends' CPU under transaction
// Bundles); migration 0012 checks that the identity sequences have these names.
const (
	sqlNextSeqs    = `SELECT nextval('resource_version_seq_seq') FROM generate_series(1, $1)`
	sqlNextRids    = `SELECT nextval('resource_rid_seq') FROM generate_series(1, $1)`
	sqlLockCurrent = `SELECT r.rid, r.version, u.i FROM resource r
		JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(type, id, i)
		ON r.type = u.type AND r.id = u.id ORDER BY r.rid FOR UPDATE OF r`
	sqlBulkUpdate = `UPDATE resource r SET version = u.version, seq = u.seq,
		last_updated = u.last_updated, deleted = u.deleted, patient_key = u.patient_key
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::boolean[], $6::text[])
		AS u(rid, version, seq, last_updated, deleted, patient_key) WHERE r.rid = u.rid`
)

var (
	versionCopyCols  = []string{"seq", "type", "id", "version", "last_updated", "deleted", "method", "patient_key", "body"}
	resourceCopyCols = []string{"rid", "type", "id", "version", "seq", "last_updated", "deleted", "patient_key"}
)

// PutAll stores ws with COPY (dsn.BulkTx): the versions, the new resources
// and every index table's rows, one COPY each, in the writer's transaction.
// Resources that already exist are locked and checked first, their rows
// updated and their index rows deleted with one statement per table. A new id
// that exists by now breaks the UNIQUE (type, id) constraint: KindConflict,
// and the transaction is rolled back by the store.
func (t *tx) PutAll(ws []dsn.Write) error {
	const op = "postgres.Tx.PutAll"
	if err := t.check(op); err != nil {
		return err
	}
	if err := sqlstore.Distinct(op, ws); err != nil {
		return err
	}
	if held, err := t.hold(op, ws); held {
		return err // sent with the batch's other PutAlls (bulkmerge.go)
	}
	return t.putAll(op, ws)
}

// putAll writes ws at once.
func (t *tx) putAll(op string, ws []dsn.Write) error {
	rids := make([]int64, len(ws))
	var fresh []int
	var old []int
	for i, w := range ws {
		if w.VersionID == 1 {
			fresh = append(fresh, i)
		} else {
			old = append(old, i)
		}
	}
	seqs, newRids, err := t.nextKeys(len(ws), len(fresh))
	if err != nil {
		return t.fail(op, err)
	}
	for k, i := range fresh {
		rids[i] = newRids[k]
	}
	t.Wrote = true // row locks from here on
	t.wrote()
	if err := t.updateOld(op, ws, old, seqs, rids); err != nil {
		return err
	}
	var cs copies
	err = cs.add("resource", resourceCopyCols, len(fresh), func(k int) []any {
		i := fresh[k]
		w := ws[i]
		return []any{rids[i], w.Type, w.ID, w.VersionID, seqs[i], w.LastUpdated, w.Deleted, w.PatientKey}
	})
	if err == nil {
		err = cs.add("resource_version", versionCopyCols, len(ws), func(i int) []any {
			w := ws[i]
			var body any
			if !w.Deleted {
				body = w.Body
			}
			return []any{seqs[i], w.Type, w.ID, w.VersionID, w.LastUpdated, w.Deleted, w.Method, w.PatientKey, body}
		})
	}
	if err == nil {
		err = addIndexCopies(&cs, ws, rids, t.unsorted)
	}
	if err != nil {
		cs.release()
		return t.fail(op, err)
	}
	return t.sendCopies(op, cs)
}

// updateOld locks the existing resources of ws (indexes old), checks that
// each is at the version before its new one, points them at their new
// version and deletes their index rows.
func (t *tx) updateOld(op string, ws []dsn.Write, old []int, seqs, rids []int64) error {
	if len(old) == 0 {
		return nil
	}
	types, ids := make([]string, len(old)), make([]string, len(old))
	for k, i := range old {
		types[k], ids[k] = ws[i].Type, ws[i].ID
	}
	rows, err := t.conn.Query(t.ctx, sqlLockCurrent, types, ids)
	if err != nil {
		return t.fail(op, err)
	}
	cur := make([]int64, len(old))
	for rows.Next() {
		var rid, version, k int64
		if err := rows.Scan(&rid, &version, &k); err != nil {
			rows.Close()
			return t.fail(op, err)
		}
		rids[old[k-1]], cur[k-1] = rid, version
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t.fail(op, err)
	}
	for k, i := range old {
		if cur[k] != ws[i].VersionID-1 {
			return sqlstore.VersionConflict(op, ws[i].Type, ws[i].ID, cur[k], ws[i].VersionID)
		}
	}
	n := len(old)
	urid, uver, useq := make([]int64, n), make([]int64, n), make([]int64, n)
	ulu, udel, upk := make([]time.Time, n), make([]bool, n), make([]string, n)
	for k, i := range old {
		w := ws[i]
		urid[k], uver[k], useq[k], ulu[k], udel[k], upk[k] = rids[i], w.VersionID, seqs[i], w.LastUpdated, w.Deleted, w.PatientKey
	}
	b := &pgx.Batch{}
	b.Queue(sqlBulkUpdate, urid, uver, useq, ulu, udel, upk)
	for _, table := range indexTableNames() {
		b.Queue("DELETE FROM "+table+" WHERE rid = ANY($1)", urid)
	}
	if err := t.conn.SendBatch(t.ctx, b).Close(); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// nextKeys draws seqs new versions' seqs and rids new resources' rids from
// the identity sequences, with the pending BEGIN and job inserts, in one
// round trip.
func (t *tx) nextKeys(seqs, rids int) (s, r []int64, err error) {
	b := &pgx.Batch{}
	n := t.queueUnsent(b)
	b.Queue(sqlNextSeqs, seqs)
	b.Queue(sqlNextRids, rids)
	br := t.conn.SendBatch(t.ctx, b)
	defer br.Close()
	for range n {
		if _, err := br.Exec(); err != nil {
			return nil, nil, err
		}
	}
	if s, err = collectInt64s(br); err == nil {
		r, err = collectInt64s(br)
	}
	if err == nil {
		err = br.Close()
	}
	return s, r, err
}

func collectInt64s(br pgx.BatchResults) ([]int64, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// indexTableNames lists the index tables of sqlstore.IndexColumns in a fixed
// order (locks and COPYs always in the same order).
func indexTableNames() []string {
	names := make([]string, 0, len(sqlstore.IndexColumns))
	for t := range sqlstore.IndexColumns {
		names = append(names, t)
	}
	sort.Strings(names)
	return names
}
