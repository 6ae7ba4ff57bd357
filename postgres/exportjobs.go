package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dsn"
	"dsn/internal/sqlstore"
)

var _ dsn.ExportJobs = (*Store)(nil)

// The export jobs' SQL (migration 0005). Job rows are written outside the
// resource writers, each statement in its own transaction.
const (
	sqlJobInsert  = `INSERT INTO export_job (id, status, created, doc) VALUES ($1, $2, $3, $4)`
	sqlJobUpdate  = `UPDATE export_job SET status = $1, doc = $2 WHERE id = $3`
	sqlJobGet     = `SELECT doc FROM export_job WHERE id = $1`
	sqlJobList    = `SELECT doc FROM export_job ORDER BY created, id`
	sqlJobDelete  = `DELETE FROM export_job WHERE id = $1` // parts: ON DELETE CASCADE
	sqlPartsClear = `DELETE FROM export_part WHERE job = $1`
	sqlPartInsert = `INSERT INTO export_part (job, file, part, data) VALUES ($1, $2, $3, $4)`
	sqlParts      = `SELECT data FROM export_part WHERE job = $1 AND file = $2 ORDER BY part`
)

// CreateExportJob stores a new job (dsn.ExportJobs).
func (s *Store) CreateExportJob(ctx context.Context, j dsn.ExportJob) error {
	doc, _ := json.Marshal(j)
	return s.jobExec(ctx, "postgres.CreateExportJob", sqlJobInsert, j.ID, j.Status, j.Created, string(doc))
}

// UpdateExportJob replaces a job; KindNotFound if it was deleted.
func (s *Store) UpdateExportJob(ctx context.Context, j dsn.ExportJob) error {
	doc, _ := json.Marshal(j)
	return s.jobExec(ctx, "postgres.UpdateExportJob", sqlJobUpdate, j.Status, string(doc), j.ID)
}

// DeleteExportJob removes a job and its parts; KindNotFound if there is none.
func (s *Store) DeleteExportJob(ctx context.Context, id string) error {
	return s.jobExec(ctx, "postgres.DeleteExportJob", sqlJobDelete, id)
}

// AddExportPart appends a part of a file; KindNotFound if the job was deleted
// (the foreign key refuses the part).
func (s *Store) AddExportPart(ctx context.Context, job string, file, part int, data []byte) error {
	return s.jobExec(ctx, "postgres.AddExportPart", sqlPartInsert, job, file, part, data)
}

// ClearExportParts removes every part of a job.
func (s *Store) ClearExportParts(ctx context.Context, job string) error {
	err := s.jobExec(ctx, "postgres.ClearExportParts", sqlPartsClear, job)
	if dsn.KindOf(err) == dsn.KindNotFound {
		return nil // there was nothing to clear
	}
	return err
}

// ExportJob returns a job; KindNotFound if there is none.
func (s *Store) ExportJob(ctx context.Context, id string) (dsn.ExportJob, error) {
	return jobDoc[dsn.ExportJob](ctx, s, "postgres.ExportJob", sqlJobGet, id, "job.export")
}

// ExportJobList returns every job, oldest first.
func (s *Store) ExportJobList(ctx context.Context) ([]dsn.ExportJob, error) {
	return jobDocs[dsn.ExportJob](ctx, s, "postgres.ExportJobList", sqlJobList)
}

// ExportParts calls fn with each part of a file, in order, one at a time.
func (s *Store) ExportParts(ctx context.Context, job string, file int, fn func([]byte) error) error {
	return eachBlob(ctx, s, "postgres.ExportParts", sqlParts, fn, job, file)
}

// jobExec runs one statement on a pooled connection; no row affected, or a
// part whose job is gone (foreign key), is KindNotFound.
func (s *Store) jobExec(ctx context.Context, op, sql string, args ...any) error {
	return s.withConn(ctx, op, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, sql, args...)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23503" { // foreign_key_violation
			return sqlstore.Fail(op, dsn.KindNotFound, "job.gone")
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return sqlstore.Fail(op, dsn.KindNotFound, "job.gone")
		}
		return nil
	})
}

// withConn runs fn on a pooled connection; errors other than dsn.Error and
// pgx.ErrNoRows come back as KindInternal.
func (s *Store) withConn(ctx context.Context, op string, fn func(*pgx.Conn) error) error {
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	err = fn(c)
	var de *dsn.Error
	if err == nil || errors.As(err, &de) || errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return dsn.Wrap(op, dsn.KindInternal, err)
}
