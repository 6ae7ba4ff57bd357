package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// sqlCanonical reads the current ValueSets or CodeSystems with a canonical
// url, for :in and :not-in (sqlstore.ValueSets).
const sqlCanonical = `SELECT v.body FROM idx_uri u JOIN resource r ON r.rid = u.rid
	JOIN resource_version v ON v.seq = r.seq
	WHERE u.type = $1 AND u.param = 'url' AND u.uri = $2 AND NOT r.deleted ORDER BY r.rid`

// Search returns one page of current, non-deleted matches (dsn.Store.Search).
func (s *Store) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	c, err := s.reads.acquire(ctx)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap("postgres.Search", dsn.KindUnavailable, err)
	}
	defer s.reads.release(c)
	return search(ctx, c, q)
}

func search(ctx context.Context, c *pgx.Conn, q dsn.SearchQuery) (dsn.SearchResult, error) {
	const op = "postgres.Search"
	sets, err := sqlstore.ValueSets(q, func(typ, url string) ([][]byte, error) {
		rows, err := c.Query(ctx, sqlCanonical, typ, url)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[[]byte])
	})
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindOf(err), err)
	}
	p, err := sqlstore.TranslateWith(sqlstore.Postgres, q, sets)
	if err != nil {
		return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	res := dsn.SearchResult{Total: -1}
	if q.Summary != "count" {
		rows, err := c.Query(ctx, p.Page.SQL, p.Page.Args...)
		if err != nil {
			return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
		}
		if len(p.Sort) > 0 {
			res, err = sqlstore.Postgres.ScanSorted(rows, p)
		} else {
			res, err = sqlstore.Postgres.ScanMatches(rows, p.Size)
		}
		rows.Close()
		if err != nil {
			return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
		}
		res.Total = -1
	}
	if q.Total {
		if res.Total, err = total(ctx, c, q, p); err != nil {
			return dsn.SearchResult{}, dsn.Wrap(op, dsn.KindInternal, err)
		}
	}
	return res, nil
}

// total counts the matches; _total=estimate (search.html#total) reads the
// planner's row estimate instead, which costs no scan.
func total(ctx context.Context, c *pgx.Conn, q dsn.SearchQuery, p sqlstore.Plan) (int, error) {
	var n int
	if q.TotalMode != "estimate" {
		err := c.QueryRow(ctx, p.Count.SQL, p.Count.Args...).Scan(&n)
		return n, err
	}
	var plan []struct {
		Plan struct {
			Plans []struct {
				Rows float64 `json:"Plan Rows"`
			} `json:"Plans"`
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	var raw []byte
	if err := c.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+p.Count.SQL, p.Count.Args...).Scan(&raw); err != nil {
		return 0, err
	}
	if err := json.Unmarshal(raw, &plan); err != nil || len(plan) == 0 {
		return 0, err
	}
	// The count's Aggregate node has one row; its input is the estimate.
	if ps := plan[0].Plan.Plans; len(ps) > 0 {
		return int(ps[0].Rows), nil
	}
	return int(plan[0].Plan.Rows), nil
}
