package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math"

	"dsn"
	"dsn/internal/sqlstore"
)

// Reading the journal's blocks (journal_block.go): scans in seq order for
// `dsn audit verify` and the report, and the views' searches newest first,
// driven by audit_key when the query names a patient, an agent or an action.

// scanBlocks bounds the blocks one query reads (2 MiB at most), so that a
// long scan does not pin one WAL snapshot (and block checkpoints) for its
// whole run.
const scanBlocks = 32

// storedBlock is one audit_block row read back.
type storedBlock struct {
	first, until int64
	data         []byte
}

// blocks reads up to limit blocks from the query (first, until, data).
func (j *journal) blocks(ctx context.Context, query string, args ...any) ([]storedBlock, error) {
	rows, err := j.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedBlock
	for rows.Next() {
		var b storedBlock
		if err := rows.Scan(&b.first, &b.until, &b.data); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ScanAudit calls fn with the entries from Seq from on (contract: dsn.Journal).
// An entry that does not decode ends its block: the entries after it are
// missing to the scan, which `dsn audit verify` reports as a gap.
func (s *Store) ScanAudit(ctx context.Context, from int64, fn func(dsn.AuditEntry) error) error {
	const op = "sqlite.ScanAudit"
	j := s.journal
	if err := j.catchUp(ctx, op); err != nil {
		return err
	}
	// the block holding from, then the next ones
	start := from
	err := j.rdb.QueryRowContext(ctx, `SELECT first FROM audit_block WHERE first <= ? ORDER BY first DESC LIMIT 1`, from).Scan(&start)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	limit := 1 // a view reading one entry reads one block
	for {
		if s.shut.Load() {
			return errClosed(op)
		}
		bs, err := j.blocks(ctx, `SELECT first, until, data FROM audit_block WHERE first >= ? ORDER BY first LIMIT ?`, start, limit)
		if err != nil {
			return dsn.Wrap(op, dsn.KindInternal, err)
		}
		for _, b := range bs {
			r := blockReader{p: b.data}
			for {
				e, ok, _ := r.next()
				if !ok {
					break
				}
				if e.Seq < from {
					continue
				}
				if err := fn(e); err != nil {
					return err
				}
			}
		}
		if len(bs) < limit {
			return nil
		}
		start, limit = bs[len(bs)-1].first+1, scanBlocks
	}
}

// auditMatch tells whether e passes q's filters.
func auditMatch(e *dsn.AuditEntry, q *dsn.AuditQuery) bool {
	return (q.Patient == "" || dsn.NamesAuditPatient(e.Patient, q.Patient)) && (q.Agent == "" || e.Agent == q.Agent) &&
		(q.Action == "" || e.Action == q.Action) && (q.Since.IsZero() || !e.Time.Before(q.Since))
}

// auditSearch is one SearchAudit's state: the query, what was found, the
// last block read.
type auditSearch struct {
	q      dsn.AuditQuery
	before int64 // only seqs below
	since  int64 // µs; blocks whose until is below end the search
	out    []dsn.AuditEntry
	blk    storedBlock
	last   int64 // blk's last seq (0: none read)
}

// take keeps e if it matches; it tells whether the page is full.
func (a *auditSearch) take(e dsn.AuditEntry) bool {
	if e.Seq >= a.before || !auditMatch(&e, &a.q) {
		return false
	}
	// a copy: e shares its block's bytes, 64 KiB kept alive per entry otherwise
	e.Body, e.Hash = bytes.Clone(e.Body), bytes.Clone(e.Hash)
	if a.q.Patient != "" {
		e.Patient = a.q.Patient // of an entry naming several, the one asked for (dsn.AuditEntry)
	}
	a.out = append(a.out, e)
	return len(a.out) == a.q.Count
}

// SearchAudit returns the entries q selects, newest first (contract: dsn.Journal).
func (s *Store) SearchAudit(ctx context.Context, q dsn.AuditQuery) ([]dsn.AuditEntry, error) {
	const op = "sqlite.SearchAudit"
	if s.shut.Load() {
		return nil, errClosed(op)
	}
	j := s.journal
	if err := j.catchUp(ctx, op); err != nil {
		return nil, err
	}
	if q.Count <= 0 {
		q.Count = 100
	}
	a := &auditSearch{q: q, before: q.Before, since: math.MinInt64}
	if a.before <= 0 {
		a.before = math.MaxInt64
	}
	if !q.Since.IsZero() {
		a.since = sqlstore.Micros(q.Since)
	}
	var err error
	switch {
	case q.Patient != "":
		err = j.searchKey(ctx, a, keyPatient+q.Patient)
	case q.Agent != "":
		err = j.searchKey(ctx, a, keyAgent+q.Agent)
	case q.Action != "":
		err = j.searchKey(ctx, a, keyAction+q.Action)
	default:
		err = j.searchBlocks(ctx, a)
	}
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return a.out, nil
}

// searchKey walks key's seqs newest first, reading each entry from its block.
func (j *journal) searchKey(ctx context.Context, a *auditSearch, key string) error {
	below := a.before
	var seqs []int64
	for {
		type keyRow struct {
			first int64
			seqs  []byte
		}
		rows, err := j.rdb.QueryContext(ctx, `SELECT first, seqs FROM audit_key WHERE key = ? AND first < ? ORDER BY first DESC LIMIT 16`, key, below)
		if err != nil {
			return err
		}
		var krs []keyRow
		for rows.Next() {
			var kr keyRow
			if err := rows.Scan(&kr.first, &kr.seqs); err != nil {
				rows.Close()
				return err
			}
			krs = append(krs, kr)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, kr := range krs {
			seqs = decodeSeqs(kr.first, kr.seqs, seqs[:0])
			for i := len(seqs) - 1; i >= 0; i-- {
				if seqs[i] >= a.before {
					continue
				}
				if err := j.blockOf(ctx, a, seqs[i]); err != nil || a.last == 0 {
					return err
				}
				if a.blk.until < a.since {
					return nil // every entry from here back is older than since
				}
				if e, ok := blockEntry(a.blk.data, seqs[i]); ok && a.take(e) {
					return nil
				}
			}
		}
		if len(krs) < 16 {
			return nil
		}
		below = krs[len(krs)-1].first
	}
}

// blockOf makes a.blk the block holding seq (a.last 0 when there is none).
func (j *journal) blockOf(ctx context.Context, a *auditSearch, seq int64) error {
	if a.last != 0 && a.blk.first <= seq && seq <= a.last {
		return nil
	}
	err := j.rdb.QueryRowContext(ctx, `SELECT first, last, until, data FROM audit_block WHERE first <= ? ORDER BY first DESC LIMIT 1`, seq).
		Scan(&a.blk.first, &a.last, &a.blk.until, &a.blk.data)
	if errors.Is(err, sql.ErrNoRows) {
		a.last = 0
		return nil
	}
	return err
}

// searchBlocks walks the blocks newest first (a query on time or nothing).
func (j *journal) searchBlocks(ctx context.Context, a *auditSearch) error {
	below := a.before
	var es []dsn.AuditEntry
	limit := 1 // the tail (a checkpoint, a page of the newest entries) is in the last block
	for {
		bs, err := j.blocks(ctx, `SELECT first, until, data FROM audit_block WHERE first < ? ORDER BY first DESC LIMIT ?`, below, limit)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if b.until < a.since {
				return nil
			}
			es = es[:0]
			r := blockReader{p: b.data}
			for {
				e, ok, _ := r.next()
				if !ok {
					break
				}
				es = append(es, e)
			}
			for i := len(es) - 1; i >= 0; i-- {
				if a.take(es[i]) {
					return nil
				}
			}
		}
		if len(bs) < limit {
			return nil
		}
		below, limit = bs[len(bs)-1].first, scanBlocks
	}
}
