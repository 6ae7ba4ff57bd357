package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
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
	for _, tc := range []struct {
		name, query string
		args        []any
		want        string
	}{
		{"instance page", histInstance.page(2, false), []any{"Patient", "id7", 1 << 62, 51}, "resource_version_type_id_version_key"},
		{"instance count", histInstance.count(2, false), []any{"Patient", "id7"}, "resource_version_type_id_version_key"},
		{"type page", histType.page(1, false), []any{"Patient", 1 << 62, 51}, "resource_version_type_seq"},
	} {
		p := explain(t, c, tc.query, tc.args)
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
