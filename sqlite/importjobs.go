package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"dsn"
	"dsn/internal/sqlstore"
)

var _ dsn.ImportJobs = (*Store)(nil)

// The import jobs' SQL (migration 0008).
const (
	sqlImpInsert     = `INSERT INTO import_job (id, status, created, doc) VALUES (?, ?, ?, ?)`
	sqlImpUpdate     = `UPDATE import_job SET status = ?, doc = ? WHERE id = ?`
	sqlImpGet        = `SELECT doc FROM import_job WHERE id = ?`
	sqlImpList       = `SELECT doc FROM import_job ORDER BY created, id`
	sqlImpDelete     = `DELETE FROM import_job WHERE id = ?`
	sqlImpErrsDelete = `DELETE FROM import_error WHERE job = ?`
	sqlImpErrsClear  = `DELETE FROM import_error WHERE job = ? AND input = ?`
	sqlImpErrInsert  = `INSERT OR IGNORE INTO import_error (job, input, line, outcome) VALUES (?, ?, ?, ?)`
	sqlImpErrs       = `SELECT outcome FROM import_error WHERE job = ? AND input = ? ORDER BY line`
)

// CreateImportJob stores a new job (dsn.ImportJobs).
func (s *Store) CreateImportJob(ctx context.Context, j dsn.ImportJob) error {
	doc, _ := json.Marshal(j)
	return s.jobWrite(ctx, "sqlite.CreateImportJob", sqlImpInsert, j.ID, j.Status, micros(j.Created), string(doc))
}

// UpdateImportJob replaces a job and adds errs, in one write transaction;
// KindNotFound if the job was deleted.
func (s *Store) UpdateImportJob(ctx context.Context, j dsn.ImportJob, errs ...dsn.ImportError) error {
	doc, _ := json.Marshal(j)
	return s.jobTx(ctx, "sqlite.UpdateImportJob", func(c *sql.Conn) (int64, error) {
		n, err := affected(c.ExecContext(context.Background(), sqlImpUpdate, j.Status, string(doc), j.ID))
		if err != nil || n == 0 {
			return n, err
		}
		for _, e := range errs {
			if _, err := c.ExecContext(context.Background(), sqlImpErrInsert, j.ID, e.Input, e.Line, string(e.Outcome)); err != nil {
				return 0, err
			}
		}
		return n, nil
	})
}

// DeleteImportJob removes a job and its errors; KindNotFound if there is none.
func (s *Store) DeleteImportJob(ctx context.Context, id string) error {
	return s.jobTx(ctx, "sqlite.DeleteImportJob", func(c *sql.Conn) (int64, error) {
		if _, err := c.ExecContext(context.Background(), sqlImpErrsDelete, id); err != nil {
			return 0, err
		}
		return affected(c.ExecContext(context.Background(), sqlImpDelete, id))
	})
}

// ClearImportErrors removes the errors of one input of a job.
func (s *Store) ClearImportErrors(ctx context.Context, job string, input int) error {
	return s.jobTx(ctx, "sqlite.ClearImportErrors", func(c *sql.Conn) (int64, error) {
		_, err := c.ExecContext(context.Background(), sqlImpErrsClear, job, input)
		return 1, err
	})
}

// ImportJob returns a job; KindNotFound if there is none.
func (s *Store) ImportJob(ctx context.Context, id string) (dsn.ImportJob, error) {
	const op = "sqlite.ImportJob"
	var doc string
	var j dsn.ImportJob
	err := s.rdb.QueryRowContext(ctx, sqlImpGet, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return j, sqlstore.Fail(op, dsn.KindNotFound, "job.import", id)
	}
	if err != nil {
		return j, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if err := json.Unmarshal([]byte(doc), &j); err != nil {
		return j, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return j, nil
}

// ImportJobList returns every job, oldest first.
func (s *Store) ImportJobList(ctx context.Context) ([]dsn.ImportJob, error) {
	const op = "sqlite.ImportJobList"
	var out []dsn.ImportJob
	err := s.eachRow(ctx, op, sqlImpList, []any{}, func(doc []byte) error {
		var j dsn.ImportJob
		if err := json.Unmarshal(doc, &j); err != nil {
			return dsn.Wrap(op, dsn.KindInternal, err)
		}
		out = append(out, j)
		return nil
	})
	return out, err
}

// ImportErrors calls fn with each OperationOutcome of one input, by line.
func (s *Store) ImportErrors(ctx context.Context, job string, input int, fn func([]byte) error) error {
	return s.eachRow(ctx, "sqlite.ImportErrors", sqlImpErrs, []any{job, input}, fn)
}

// eachRow calls fn with the single column of each row of query, one at a time.
func (s *Store) eachRow(ctx context.Context, op, query string, args []any, fn func([]byte) error) error {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return dsn.Wrap(op, dsn.KindInternal, err)
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	return nil
}
