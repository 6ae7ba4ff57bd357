package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// The Bulk Data jobs (export_job, import_job) keep each job as one JSON
// document, and their parts or errors as blobs read in order. These helpers
// read both kinds alike.

// jobDoc reads the one document query returns for id; KindNotFound (the
// sentence missing of sqlstore's catalogue, saying id) when there is none.
func jobDoc[T any](ctx context.Context, s *Store, op, query, id, missing string) (T, error) {
	var j T
	err := s.withConn(ctx, op, func(c *pgx.Conn) error {
		var doc string
		if err := c.QueryRow(ctx, query, id).Scan(&doc); err != nil {
			return err
		}
		return json.Unmarshal([]byte(doc), &j)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return j, sqlstore.Fail(op, dsn.KindNotFound, missing, id)
	}
	return j, err
}

// jobDocs reads every document query returns, in its order.
func jobDocs[T any](ctx context.Context, s *Store, op, query string) ([]T, error) {
	var out []T
	err := s.withConn(ctx, op, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query)
		if err != nil {
			return err
		}
		docs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, d := range docs {
			var j T
			if err := json.Unmarshal([]byte(d), &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// eachBlob calls fn with each blob query returns, one at a time, until fn
// returns an error (returned as is).
func eachBlob(ctx context.Context, s *Store, op, query string, fn func([]byte) error, args ...any) error {
	var fnErr error
	err := s.withConn(ctx, op, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
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
