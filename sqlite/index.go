package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"dsn"
)

// insertIndex writes the index rows of w for resource rid: one statement per
// non-empty table, the rows as a JSON array (see sqlInsToken).
func (t *tx) insertIndex(ctx context.Context, rid int64, w dsn.Write) error {
	st, ix := &t.s.wstmt, &w.Index
	exec := func(s *sql.Stmt, n int, row func(i int) []any) error {
		if n == 0 {
			return nil
		}
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = row(i)
		}
		j, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		_, err = s.ExecContext(ctx, rid, w.Type, w.PatientKey, string(j))
		return err
	}
	steps := []func() error{
		func() error {
			return exec(st.insToken, len(ix.Tokens), func(i int) []any {
				k := ix.Tokens[i]
				return []any{k.Param, k.System, k.Code, normalize(k.Text)}
			})
		},
		func() error {
			return exec(st.insString, len(ix.Strings), func(i int) []any {
				k := ix.Strings[i]
				return []any{k.Param, k.Norm, k.Exact}
			})
		},
		func() error {
			return exec(st.insDate, len(ix.Dates), func(i int) []any {
				k := ix.Dates[i]
				return []any{k.Param, rangeLow(k.Low), rangeHigh(k.High)}
			})
		},
		func() error {
			return exec(st.insReference, len(ix.References), func(i int) []any {
				k := ix.References[i]
				return []any{k.Param, k.Type, k.ID, k.URL}
			})
		},
		func() error {
			return exec(st.insQuantity, len(ix.Quantities), func(i int) []any {
				k := ix.Quantities[i]
				return []any{k.Param, k.Value, k.System, k.Code, k.Unit}
			})
		},
		func() error {
			return exec(st.insNumber, len(ix.Numbers), func(i int) []any {
				k := ix.Numbers[i]
				return []any{k.Param, k.Value}
			})
		},
		func() error {
			return exec(st.insURI, len(ix.URIs), func(i int) []any {
				k := ix.URIs[i]
				return []any{k.Param, k.URI}
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
