package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// dsn.Records on the records' database (migration 0004), on
// connections of the read pool: PostgreSQL flushes concurrent commits
// together by itself, so these small writes need no queue of their own.

var _ dsn.Records = (*Store)(nil)

var (
	sqlPutRecord    = sqlstore.Rebind(sqlstore.SQLPutRecord)
	sqlGetRecord    = sqlstore.Rebind(sqlstore.SQLGetRecord)
	sqlFindRecords  = sqlstore.Rebind(sqlstore.SQLFindRecords)
	sqlListRecords  = sqlstore.Rebind(sqlstore.SQLListRecords)
	sqlTakeRecord   = sqlstore.Rebind(sqlstore.SQLTakeRecord)
	sqlDeleteRecord = sqlstore.Rebind(sqlstore.SQLDeleteRecord)
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
		return r, sqlstore.Fail(op, dsn.KindNotFound, "record.missing", kind, id)
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
