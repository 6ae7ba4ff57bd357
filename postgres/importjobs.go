package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

var _ dsn.ImportJobs = (*Store)(nil)

// The import jobs' SQL (migration 0008). Job rows are written outside the
// resource writers, like export jobs.
const (
	sqlImpInsert    = `INSERT INTO import_job (id, status, created, doc) VALUES ($1, $2, $3, $4)`
	sqlImpUpdate    = `UPDATE import_job SET status = $1, doc = $2 WHERE id = $3`
	sqlImpGet       = `SELECT doc FROM import_job WHERE id = $1`
	sqlImpList      = `SELECT doc FROM import_job ORDER BY created, id`
	sqlImpDelete    = `DELETE FROM import_job WHERE id = $1` // errors: ON DELETE CASCADE
	sqlImpErrsClear = `DELETE FROM import_error WHERE job = $1 AND input = $2`
	sqlImpErrInsert = `INSERT INTO import_error (job, input, line, outcome) VALUES ($1, $2, $3, $4)
		ON CONFLICT (job, input, line) DO NOTHING`
	sqlImpErrs = `SELECT outcome FROM import_error WHERE job = $1 AND input = $2 ORDER BY line`
)

// CreateImportJob stores a new job (dsn.ImportJobs).
func (s *Store) CreateImportJob(ctx context.Context, j dsn.ImportJob) error {
	doc, _ := json.Marshal(j)
	return s.jobExec(ctx, "postgres.CreateImportJob", sqlImpInsert, j.ID, j.Status, j.Created, string(doc))
}

// UpdateImportJob replaces a job and adds errs, in one transaction;
// KindNotFound if the job was deleted.
func (s *Store) UpdateImportJob(ctx context.Context, j dsn.ImportJob, errs ...dsn.ImportError) error {
	const op = "postgres.UpdateImportJob"
	doc, _ := json.Marshal(j)
	return s.withConn(ctx, op, func(c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, sqlImpUpdate, j.Status, string(doc), j.ID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return sqlstore.Fail(op, dsn.KindNotFound, "job.import", j.ID)
			}
			if len(errs) == 0 {
				return nil
			}
			b := &pgx.Batch{}
			for _, e := range errs {
				b.Queue(sqlImpErrInsert, j.ID, e.Input, e.Line, string(e.Outcome))
			}
			return tx.SendBatch(ctx, b).Close()
		})
	})
}

// DeleteImportJob removes a job and its errors; KindNotFound if there is none.
func (s *Store) DeleteImportJob(ctx context.Context, id string) error {
	return s.jobExec(ctx, "postgres.DeleteImportJob", sqlImpDelete, id)
}

// ClearImportErrors removes the errors of one input of a job.
func (s *Store) ClearImportErrors(ctx context.Context, job string, input int) error {
	err := s.jobExec(ctx, "postgres.ClearImportErrors", sqlImpErrsClear, job, input)
	if dsn.KindOf(err) == dsn.KindNotFound {
		return nil // there was nothing to clear
	}
	return err
}

// ImportJob returns a job; KindNotFound if there is none.
func (s *Store) ImportJob(ctx context.Context, id string) (dsn.ImportJob, error) {
	return jobDoc[dsn.ImportJob](ctx, s, "postgres.ImportJob", sqlImpGet, id, "job.import")
}

// ImportJobList returns every job, oldest first.
func (s *Store) ImportJobList(ctx context.Context) ([]dsn.ImportJob, error) {
	return jobDocs[dsn.ImportJob](ctx, s, "postgres.ImportJobList", sqlImpList)
}

// ImportErrors calls fn with each OperationOutcome of one input, by line.
func (s *Store) ImportErrors(ctx context.Context, job string, input int, fn func([]byte) error) error {
	return eachBlob(ctx, s, "postgres.ImportErrors", sqlImpErrs, fn, job, input)
}
