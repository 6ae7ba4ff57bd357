package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"dsn"
	"dsn/internal/sqlstore"
)

var _ dsn.ExportJobs = (*Store)(nil)

// The export jobs' SQL (migration 0005).
const (
	sqlJobInsert  = `INSERT INTO export_job (id, status, created, doc) VALUES (?, ?, ?, ?)`
	sqlJobUpdate  = `UPDATE export_job SET status = ?, doc = ? WHERE id = ?`
	sqlJobGet     = `SELECT doc FROM export_job WHERE id = ?`
	sqlJobList    = `SELECT doc FROM export_job ORDER BY created, id`
	sqlJobDelete  = `DELETE FROM export_job WHERE id = ?`
	sqlPartsClear = `DELETE FROM export_part WHERE job = ?`
	sqlPartInsert = `INSERT INTO export_part (job, file, part, data)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM export_job WHERE id = ?)`
	sqlParts = `SELECT data FROM export_part WHERE job = ? AND file = ? ORDER BY part`
)

// CreateExportJob stores a new job (dsn.ExportJobs).
func (s *Store) CreateExportJob(ctx context.Context, j dsn.ExportJob) error {
	doc, _ := json.Marshal(j)
	return s.jobWrite(ctx, "sqlite.CreateExportJob", sqlJobInsert, j.ID, j.Status, micros(j.Created), string(doc))
}

// UpdateExportJob replaces a job; KindNotFound if it was deleted.
func (s *Store) UpdateExportJob(ctx context.Context, j dsn.ExportJob) error {
	doc, _ := json.Marshal(j)
	return s.jobWrite(ctx, "sqlite.UpdateExportJob", sqlJobUpdate, j.Status, string(doc), j.ID)
}

// DeleteExportJob removes a job and its parts; KindNotFound if there is none.
func (s *Store) DeleteExportJob(ctx context.Context, id string) error {
	const op = "sqlite.DeleteExportJob"
	return s.jobTx(ctx, op, func(c *sql.Conn) (int64, error) {
		if _, err := c.ExecContext(context.Background(), sqlPartsClear, id); err != nil {
			return 0, err
		}
		return affected(c.ExecContext(context.Background(), sqlJobDelete, id))
	})
}

// AddExportPart appends a part of a file; KindNotFound if the job was deleted.
func (s *Store) AddExportPart(ctx context.Context, job string, file, part int, data []byte) error {
	return s.jobWrite(ctx, "sqlite.AddExportPart", sqlPartInsert, job, file, part, data, job)
}

// ClearExportParts removes every part of a job.
func (s *Store) ClearExportParts(ctx context.Context, job string) error {
	return s.jobTx(ctx, "sqlite.ClearExportParts", func(c *sql.Conn) (int64, error) {
		_, err := c.ExecContext(context.Background(), sqlPartsClear, job)
		return 1, err
	})
}

// ExportJob returns a job; KindNotFound if there is none.
func (s *Store) ExportJob(ctx context.Context, id string) (dsn.ExportJob, error) {
	const op = "sqlite.ExportJob"
	var doc string
	err := s.rdb.QueryRowContext(ctx, sqlJobGet, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return dsn.ExportJob{}, sqlstore.Fail(op, dsn.KindNotFound, "job.export", id)
	}
	if err != nil {
		return dsn.ExportJob{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	var j dsn.ExportJob
	if err := json.Unmarshal([]byte(doc), &j); err != nil {
		return j, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return j, nil
}

// ExportJobList returns every job, oldest first.
func (s *Store) ExportJobList(ctx context.Context) ([]dsn.ExportJob, error) {
	const op = "sqlite.ExportJobList"
	rows, err := s.rdb.QueryContext(ctx, sqlJobList)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	defer rows.Close()
	var out []dsn.ExportJob
	for rows.Next() {
		var doc string
		var j dsn.ExportJob
		if err := rows.Scan(&doc); err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		if err := json.Unmarshal([]byte(doc), &j); err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return out, nil
}

// ExportParts calls fn with each part of a file, in order, one at a time.
func (s *Store) ExportParts(ctx context.Context, job string, file int, fn func([]byte) error) error {
	const op = "sqlite.ExportParts"
	rows, err := s.rdb.QueryContext(ctx, sqlParts, job, file)
	if err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return dsn.Wrap(op, dsn.KindInternal, err)
		}
		if err := fn(data); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return dsn.Wrap(op, dsn.KindInternal, err)
	}
	return nil
}

// jobWrite runs one statement through the writer; no row affected is KindNotFound.
func (s *Store) jobWrite(ctx context.Context, op, query string, args ...any) error {
	return s.jobTx(ctx, op, func(c *sql.Conn) (int64, error) {
		return affected(c.ExecContext(context.Background(), query, args...))
	})
}

// jobTx runs fn on the writer connection inside Store.Write, so that job rows
// share the group commit and are durable (fsynced) when it returns. fn
// reports the rows it affected: none is KindNotFound.
func (s *Store) jobTx(ctx context.Context, op string, fn func(*sql.Conn) (int64, error)) error {
	var n int64
	err := s.Write(ctx, func(t dsn.Tx) error {
		tx := t.(*tx)
		if err := tx.Check(op); err != nil {
			return err
		}
		tx.Wrote = true
		var err error
		if n, err = fn(s.wconn); err != nil {
			return tx.fail(op, err)
		}
		return nil
	})
	if err == nil && n == 0 {
		return sqlstore.Fail(op, dsn.KindNotFound, "job.gone")
	}
	return err
}

func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
