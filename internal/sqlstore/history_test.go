package sqlstore

import (
	"path/filepath"
	"testing"
	"time"

	"dsn"
)

// The history query of each level, in both dialects, is kept in
// testdata/<dialect>/history_<level>.golden (go test -run GoldenHistory -update):
// a change to the shape that each level's index relies on shows up in review.
func TestGoldenHistory(t *testing.T) {
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cursor := EncodeCursor('h', 42)
	levels := map[string]dsn.HistoryQuery{
		"system":         {},
		"system_since":   {Since: since, Count: 10},
		"type":           {Type: "Patient", Cursor: cursor},
		"instance":       {Type: "Patient", ID: "p1"},
		"instance_since": {Type: "Patient", ID: "p1", Since: since, Cursor: cursor},
	}
	for dname, d := range dialects {
		for name, q := range levels {
			p, err := History(d, "test", q)
			if err != nil {
				t.Fatalf("%s %s: %v", dname, name, err)
			}
			golden(t, filepath.Join("testdata", dname, "history_"+name+".golden"), p.String())
		}
	}
}

func TestHistoryErrors(t *testing.T) {
	if _, err := History(SQLite, "test", dsn.HistoryQuery{ID: "p1"}); dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("instance without type: %v, want KindInvalid", err)
	}
	if _, err := History(SQLite, "test", dsn.HistoryQuery{Cursor: EncodeCursor('s', 1)}); dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("search cursor in history: %v, want KindInvalid", err)
	}
}
