package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"dsn"
	"dsn/internal/sqlstore"
)

// dsn.Records on the records' file (migration 0004). Reads use the read pool;
// writes go through the writer goroutine like resource writes, so they share
// its group commit and WAL fsync and never wait on SQLite's busy handler
// behind the writer. The journal has a file of its own (journal.go).

var _ dsn.Records = (*Store)(nil)

// stmt returns query prepared on the writer connection (cached; only the
// writer goroutine calls it, from inside a side fn).
func (s *Store) stmt(ctx context.Context, c *sql.Conn, query string) (*sql.Stmt, error) {
	if st := s.sideSt[query]; st != nil {
		return st, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.sideSt[query] = st
	return st, nil
}

// side runs fn on the writer connection inside a group commit.
func (s *Store) side(ctx context.Context, op string, fn func(ctx context.Context, c *sql.Conn) error) error {
	return s.queue.Submit(ctx, op, func(t dsn.Tx) error {
		tx, ok := t.(*tx)
		if !ok {
			return dsn.Wrap(op, dsn.KindInternal, fmt.Errorf("unexpected transaction type %T", t))
		}
		if err := tx.Check(op); err != nil {
			return err
		}
		tx.Wrote = true
		if err := fn(context.Background(), s.wconn); err != nil {
			if dsn.KindOf(err) != dsn.KindInternal {
				return err
			}
			return tx.fail(op, err)
		}
		return nil
	})
}

// PutRecord creates or replaces r (contract: dsn.Records).
func (s *Store) PutRecord(ctx context.Context, r dsn.Record) error {
	return s.side(ctx, "sqlite.PutRecord", func(ctx context.Context, c *sql.Conn) error {
		_, err := c.ExecContext(ctx, sqlstore.SQLPutRecord, sqlstore.RecordArgs(r)...)
		return err
	})
}

// GetRecord returns one record (contract: dsn.Records).
func (s *Store) GetRecord(ctx context.Context, kind, id string) (dsn.Record, error) {
	const op = "sqlite.GetRecord"
	if s.shut.Load() {
		return dsn.Record{}, errClosed(op)
	}
	r, err := sqlstore.ScanRecord(s.rdb.QueryRowContext(ctx, sqlstore.SQLGetRecord, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, sqlstore.Fail(op, dsn.KindNotFound, "record.missing", kind, id)
	}
	return r, dsn.Wrap(op, dsn.KindInternal, err)
}

// FindRecords returns the records of kind with Key key (contract: dsn.Records).
func (s *Store) FindRecords(ctx context.Context, kind, key string) ([]dsn.Record, error) {
	return s.queryRecords(ctx, "sqlite.FindRecords", sqlstore.SQLFindRecords, kind, key)
}

// ListRecords returns every record of kind (contract: dsn.Records).
func (s *Store) ListRecords(ctx context.Context, kind string) ([]dsn.Record, error) {
	return s.queryRecords(ctx, "sqlite.ListRecords", sqlstore.SQLListRecords, kind)
}

func (s *Store) queryRecords(ctx context.Context, op, query string, args ...any) ([]dsn.Record, error) {
	if s.shut.Load() {
		return nil, errClosed(op)
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	defer rows.Close()
	var out []dsn.Record
	for rows.Next() {
		r, err := sqlstore.ScanRecord(rows)
		if err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		out = append(out, r)
	}
	return out, dsn.Wrap(op, dsn.KindInternal, rows.Err())
}

// TakeRecord deletes and returns one record (contract: dsn.Records).
func (s *Store) TakeRecord(ctx context.Context, kind, id string) (dsn.Record, error) {
	const op = "sqlite.TakeRecord"
	var r dsn.Record
	err := s.side(ctx, op, func(ctx context.Context, c *sql.Conn) error {
		var err error
		r, err = sqlstore.ScanRecord(c.QueryRowContext(ctx, sqlstore.SQLTakeRecord, kind, id))
		if errors.Is(err, sql.ErrNoRows) {
			return sqlstore.Fail(op, dsn.KindNotFound, "record.missing", kind, id)
		}
		return err
	})
	return r, err
}

// DeleteRecord removes one record (contract: dsn.Records).
func (s *Store) DeleteRecord(ctx context.Context, kind, id string) error {
	return s.side(ctx, "sqlite.DeleteRecord", func(ctx context.Context, c *sql.Conn) error {
		_, err := c.ExecContext(ctx, sqlstore.SQLDeleteRecord, kind, id)
		return err
	})
}
