package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"dsn"
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
				return dsn.Errorf(op, dsn.KindNotFound, "import %q inconnu ou supprimé", j.ID)
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
	const op = "postgres.ImportJob"
	var j dsn.ImportJob
	err := s.withConn(ctx, op, func(c *pgx.Conn) error {
		var doc string
		if err := c.QueryRow(ctx, sqlImpGet, id).Scan(&doc); err != nil {
			return err
		}
		return json.Unmarshal([]byte(doc), &j)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return j, dsn.Errorf(op, dsn.KindNotFound, "import %q introuvable", id)
	}
	return j, err
}

// ImportJobList returns every job, oldest first.
func (s *Store) ImportJobList(ctx context.Context) ([]dsn.ImportJob, error) {
	var out []dsn.ImportJob
	err := s.withConn(ctx, "postgres.ImportJobList", func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sqlImpList)
		if err != nil {
			return err
		}
		docs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, d := range docs {
			var j dsn.ImportJob
			if err := json.Unmarshal([]byte(d), &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// ImportErrors calls fn with each OperationOutcome of one input, by line.
func (s *Store) ImportErrors(ctx context.Context, job string, input int, fn func([]byte) error) error {
	var fnErr error
	err := s.withConn(ctx, "postgres.ImportErrors", func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sqlImpErrs, job, input)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			if fnErr = fn(b); fnErr != nil {
				return nil
			}
		}
		return rows.Err()
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}
