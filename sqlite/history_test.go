package sqlite

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/internal/sqlstore"
	"dsn/storetest"
)

// The history query of each level reads its own index (instance: the unique
// (type, id, version) index, type: (type, seq), system: the rowid), so it stays
// fast as the store grows; the plans are kept in testdata/history_plan.golden
// (go test ./sqlite -run HistoryPlan -update).
func TestHistoryPlan(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out strings.Builder
	levels := []struct {
		name string
		q    dsn.HistoryQuery
	}{
		{"system", dsn.HistoryQuery{}},
		{"type", dsn.HistoryQuery{Type: "Patient"}},
		{"instance", dsn.HistoryQuery{Type: "Patient", ID: "x"}},
	}
	for _, l := range levels {
		for _, since := range []bool{false, true} {
			q := l.q
			if since {
				q.Since = time.Unix(0, 0)
			}
			p, err := sqlstore.History(sqlstore.SQLite, "test", q)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("%s (since %v)", l.name, since)
			fmt.Fprintf(&out, "%s page:\n%s\n", name, queryPlan(t, s, p.Page.SQL, p.Page.Args))
			fmt.Fprintf(&out, "%s count:\n%s\n", name, queryPlan(t, s, p.Count.SQL, p.Count.Args))
		}
	}
	golden(t, filepath.Join("testdata", "history_plan.golden"), out.String())
}

// queryPlan is SQLite's EXPLAIN QUERY PLAN of q, one step per line.
func queryPlan(t *testing.T, s *Store, q string, args []any) string {
	rows, err := s.rdb.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, "  "+detail)
	}
	return strings.Join(lines, "\n")
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, path, got string) {
	t.Helper()
	storetest.Golden(t, path, got, *update)
}
