package storetest

import (
	"context"
	"strconv"
	"testing"

	"dsn"
)

// historyData writes, in this order: Patient/p v1 v2 v3(deleted), Patient/q v1,
// Observation/o v1, at minutes 0..4.
func historyData(t *testing.T, s dsn.Store) {
	put(t, s, res("Patient", "p", 1, at(0), dsn.Index{}))
	put(t, s, res("Patient", "p", 2, at(1), dsn.Index{}))
	put(t, s, tombstone("Patient", "p", 3, at(2)))
	put(t, s, res("Patient", "q", 1, at(3), dsn.Index{}))
	put(t, s, res("Observation", "o", 1, at(4), dsn.Index{}))
}

// key names a version as "Type/id/version" for comparisons.
func key(r dsn.Resource) string {
	return r.Type + "/" + r.ID + "/" + strconv.FormatInt(r.VersionID, 10)
}

func keys(rs []dsn.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = key(r)
	}
	return out
}

func testHistory(t *testing.T, open Opener) {
	s := open(t)
	historyData(t, s)
	cases := []struct {
		name string
		q    dsn.HistoryQuery
		want []string
	}{
		{"instance", dsn.HistoryQuery{Type: "Patient", ID: "p"}, []string{"Patient/p/3", "Patient/p/2", "Patient/p/1"}},
		{"type", dsn.HistoryQuery{Type: "Patient"}, []string{"Patient/q/1", "Patient/p/3", "Patient/p/2", "Patient/p/1"}},
		{"system", dsn.HistoryQuery{}, []string{"Observation/o/1", "Patient/q/1", "Patient/p/3", "Patient/p/2", "Patient/p/1"}},
		{"since", dsn.HistoryQuery{Since: at(2)}, []string{"Observation/o/1", "Patient/q/1", "Patient/p/3"}},
		{"instance since", dsn.HistoryQuery{Type: "Patient", ID: "p", Since: at(1)}, []string{"Patient/p/3", "Patient/p/2"}},
		{"unknown", dsn.HistoryQuery{Type: "Patient", ID: "zz"}, nil},
	}
	for _, c := range cases {
		page, err := s.History(context.Background(), c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := keys(page.Entries); !equal(got, c.want) {
			t.Fatalf("%s: history = %v, want %v", c.name, got, c.want)
		}
		if page.Total != len(c.want) || page.Next != "" {
			t.Fatalf("%s: total %d next %q, want %d and no next page", c.name, page.Total, page.Next, len(c.want))
		}
	}
	page, _ := s.History(context.Background(), dsn.HistoryQuery{Type: "Patient", ID: "p"})
	if !page.Entries[0].Deleted || page.Entries[0].Method != "DELETE" || page.Entries[0].Body != nil {
		t.Fatalf("the tombstone in history: %+v", page.Entries[0])
	}
	checkResource(t, page.Entries[1], res("Patient", "p", 2, at(1), dsn.Index{}))
}

func testHistoryPaging(t *testing.T, open Opener) {
	s := open(t)
	historyData(t, s)
	var got []string
	q := dsn.HistoryQuery{Count: 2}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("history paging does not end")
		}
		page, err := s.History(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 5 || len(page.Entries) > 2 {
			t.Fatalf("page %d: %d entries, total %d", pages, len(page.Entries), page.Total)
		}
		got = append(got, keys(page.Entries)...)
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	want := []string{"Observation/o/1", "Patient/q/1", "Patient/p/3", "Patient/p/2", "Patient/p/1"}
	if !equal(got, want) {
		t.Fatalf("pages = %v, want %v", got, want)
	}
	_, err := s.History(context.Background(), dsn.HistoryQuery{Cursor: "not a cursor!"})
	wantKind(t, err, dsn.KindInvalid)
	// A new version written between pages does not shift the next page.
	first, _ := s.History(context.Background(), dsn.HistoryQuery{Count: 2})
	put(t, s, res("Patient", "q", 2, at(9), dsn.Index{}))
	next, err := s.History(context.Background(), dsn.HistoryQuery{Count: 2, Cursor: first.Next})
	if err != nil || !equal(keys(next.Entries), []string{"Patient/p/3", "Patient/p/2"}) {
		t.Fatalf("second page after a write: %v %v", keys(next.Entries), err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
