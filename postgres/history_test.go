package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
)

// The history query of each level reads its own index (instance: UNIQUE (type,
// id, version), type: (type, seq)), so it stays fast as the store grows. The
// plans are checked on 20,000 versions, 1 % of them Patients, with statistics
// (for a type that holds most versions, walking the primary key backwards and
// filtering is as good, and PostgreSQL may choose it).
func TestHistoryPlan(t *testing.T) {
	ctx := context.Background()
	u := freshSchema(t)
	s, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, `INSERT INTO resource_version (type, id, version, last_updated, deleted, method, patient_key, body)
		SELECT CASE WHEN i % 100 = 0 THEN 'Patient' ELSE 'Observation' END, 'id' || i, 1, now(), false, 'POST', '', '{}'
		  FROM generate_series(1, 20000) AS i`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "ANALYZE resource_version"); err != nil {
		t.Fatal(err)
	}
	plan := func(q dsn.HistoryQuery) sqlstore.Plan {
		p, err := sqlstore.History(sqlstore.Postgres, "test", q)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	instance := plan(dsn.HistoryQuery{Type: "Patient", ID: "id7", Cursor: sqlstore.EncodeCursor('h', 1<<62)})
	typ := plan(dsn.HistoryQuery{Type: "Patient", Cursor: sqlstore.EncodeCursor('h', 1<<62)})
	for _, tc := range []struct {
		name string
		st   sqlstore.Statement
		want string
	}{
		{"instance page", instance.Page, "resource_version_type_id_version_key"},
		{"instance count", instance.Count, "resource_version_type_id_version_key"},
		{"type page", typ.Page, "resource_version_type_seq"},
	} {
		p := explain(t, c, tc.st.SQL, tc.st.Args)
		if !strings.Contains(p, tc.want) || strings.Contains(p, "Sort") {
			t.Errorf("%s: plan does not seek %s without sorting:\n%s", tc.name, tc.want, p)
		}
	}
}

// explain is PostgreSQL's plan of q, without costs.
func explain(t *testing.T, c *pgx.Conn, q string, args []any) string {
	rows, err := c.Query(context.Background(), "EXPLAIN (COSTS OFF) "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}
