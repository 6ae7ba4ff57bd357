package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// dsn.Records and dsn.Journal on the same database (migration 0004), on
// connections of the read pool: PostgreSQL flushes concurrent commits
// together by itself, so these small writes need no queue of their own.

var (
	_ dsn.Records = (*Store)(nil)
	_ dsn.Journal = (*Store)(nil)
)

var (
	sqlPutRecord    = sqlstore.Rebind(sqlstore.SQLPutRecord)
	sqlGetRecord    = sqlstore.Rebind(sqlstore.SQLGetRecord)
	sqlFindRecords  = sqlstore.Rebind(sqlstore.SQLFindRecords)
	sqlListRecords  = sqlstore.Rebind(sqlstore.SQLListRecords)
	sqlTakeRecord   = sqlstore.Rebind(sqlstore.SQLTakeRecord)
	sqlDeleteRecord = sqlstore.Rebind(sqlstore.SQLDeleteRecord)
	sqlAuditInsert  = sqlstore.Rebind(sqlstore.SQLAuditInsert)
	sqlAuditScan    = sqlstore.Rebind(sqlstore.SQLAuditScan)
	// appenders of the journal, in this process or another, take turns
	sqlAuditLock = `SELECT pg_advisory_xact_lock(hashtext('dsn.audit.' || current_schema()))`
)

// conn runs fn on a pooled connection.
func (s *Store) conn(ctx context.Context, op string, fn func(*pgx.Conn) error) error {
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	if err := fn(c); err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	return nil
}

// PutRecord creates or replaces r (contract: dsn.Records).
func (s *Store) PutRecord(ctx context.Context, r dsn.Record) error {
	return s.conn(ctx, "postgres.PutRecord", func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, sqlPutRecord, sqlstore.RecordArgs(r)...)
		return err
	})
}

// GetRecord returns one record (contract: dsn.Records).
func (s *Store) GetRecord(ctx context.Context, kind, id string) (dsn.Record, error) {
	return s.oneRecord(ctx, "postgres.GetRecord", sqlGetRecord, kind, id)
}

// TakeRecord deletes and returns one record (contract: dsn.Records).
func (s *Store) TakeRecord(ctx context.Context, kind, id string) (dsn.Record, error) {
	return s.oneRecord(ctx, "postgres.TakeRecord", sqlTakeRecord, kind, id)
}

func (s *Store) oneRecord(ctx context.Context, op, query, kind, id string) (r dsn.Record, err error) {
	missing := false
	err = s.conn(ctx, op, func(c *pgx.Conn) error {
		r, err = sqlstore.ScanRecord(c.QueryRow(ctx, query, kind, id))
		if errors.Is(err, pgx.ErrNoRows) {
			missing = true
			return nil
		}
		return err
	})
	if missing {
		return r, dsn.Errorf(op, dsn.KindNotFound, "%s %q introuvable", kind, id)
	}
	return r, err
}

// FindRecords returns the records of kind with Key key (contract: dsn.Records).
func (s *Store) FindRecords(ctx context.Context, kind, key string) ([]dsn.Record, error) {
	return s.queryRecords(ctx, "postgres.FindRecords", sqlFindRecords, kind, key)
}

// ListRecords returns every record of kind (contract: dsn.Records).
func (s *Store) ListRecords(ctx context.Context, kind string) ([]dsn.Record, error) {
	return s.queryRecords(ctx, "postgres.ListRecords", sqlListRecords, kind)
}

func (s *Store) queryRecords(ctx context.Context, op, query string, args ...any) (out []dsn.Record, err error) {
	err = s.conn(ctx, op, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := sqlstore.ScanRecord(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteRecord removes one record (contract: dsn.Records).
func (s *Store) DeleteRecord(ctx context.Context, kind, id string) error {
	return s.conn(ctx, "postgres.DeleteRecord", func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, sqlDeleteRecord, kind, id)
		return err
	})
}

// AppendAudit appends journal entries after the tail in one transaction
// holding the journal's advisory lock (contract: dsn.Journal).
func (s *Store) AppendAudit(ctx context.Context, entries []dsn.AuditEntry, link func(prev []byte, e *dsn.AuditEntry)) error {
	return s.conn(ctx, "postgres.AppendAudit", func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		if _, err := tx.Exec(ctx, sqlAuditLock); err != nil {
			return err
		}
		var seq int64
		var prev []byte
		err = tx.QueryRow(ctx, sqlstore.SQLAuditTail).Scan(&seq, &prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		b := &pgx.Batch{}
		for i := range entries {
			e := &entries[i]
			seq++
			e.Seq = seq
			link(prev, e)
			prev = e.Hash
			b.Queue(sqlAuditInsert, sqlstore.AuditArgs(e)...)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// ScanAudit calls fn with the entries from Seq from on (contract: dsn.Journal).
func (s *Store) ScanAudit(ctx context.Context, from int64, fn func(dsn.AuditEntry) error) error {
	const chunk = 20000
	for {
		n := 0
		var fnErr error
		err := s.conn(ctx, "postgres.ScanAudit", func(c *pgx.Conn) error {
			rows, err := c.Query(ctx, sqlAuditScan, from, chunk)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				e, err := sqlstore.ScanAuditEntry(rows)
				if err != nil {
					return err
				}
				n, from = n+1, e.Seq+1
				if fnErr = fn(e); fnErr != nil {
					return nil
				}
			}
			return rows.Err()
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil || n < chunk {
			return err
		}
	}
}

// SearchAudit returns the entries q selects, newest first (contract: dsn.Journal).
func (s *Store) SearchAudit(ctx context.Context, q dsn.AuditQuery) (out []dsn.AuditEntry, err error) {
	query, args := sqlstore.AuditSearch(q)
	query = sqlstore.Rebind(query)
	err = s.conn(ctx, "postgres.SearchAudit", func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := sqlstore.ScanAuditEntry(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
