package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"dsn"
)

// testReindex: dsn.Reindexer replaces the index rows and patient key of the
// current versions without new versions, skips tombstones, and reports
// extraction errors with the resource.
func testReindex(t *testing.T, open Opener) {
	s := open(t)
	rx, ok := s.(dsn.Reindexer)
	if !ok {
		t.Fatal("the store does not implement dsn.Reindexer")
	}
	ctx := context.Background()
	put(t, s, res("Patient", "a", 1, at(0), tokenIndex("x", "old")), res("Patient", "b", 1, at(1), tokenIndex("x", "old")),
		res("Observation", "o", 1, at(2), tokenIndex("x", "old")), res("Patient", "gone", 1, at(3), tokenIndex("x", "old")))
	put(t, s, res("Patient", "b", 2, at(4), tokenIndex("x", "old")), tombstone("Patient", "gone", 2, at(5)))
	var mu sync.Mutex
	var seen []string // extract runs on several goroutines
	extract := func(r dsn.Resource) (dsn.Index, string, error) {
		mu.Lock()
		seen = append(seen, r.Type+"/"+r.ID)
		mu.Unlock()
		if r.Body == nil || r.VersionID == 0 {
			t.Errorf("reindex of %s/%s without body or version", r.Type, r.ID)
		}
		return tokenIndex("x", "new-"+r.ID), "pk-" + r.ID, nil
	}
	var calls int
	n, err := rx.Reindex(ctx, "Patient", extract, func(int) { calls++ })
	if err != nil || n != 2 || calls == 0 {
		t.Fatalf("Reindex(Patient) = %d, %v (progress calls %d), want 2", n, err, calls)
	}
	slices.Sort(seen)
	if len(seen) != 2 || seen[0] != "Patient/a" || seen[1] != "Patient/b" {
		t.Fatalf("extracted %v, want Patient/a and Patient/b", seen)
	}
	count := func(typ, code string) int {
		t.Helper()
		r, err := s.Search(ctx, dsn.SearchQuery{Type: typ, Total: true, Clauses: []dsn.Clause{
			cl("tag", dsn.ParamToken, "", dsn.Value{Code: code, AnySystem: true})}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	if count("Patient", "old") != 0 || count("Patient", "new-a") != 1 || count("Patient", "new-b") != 1 || count("Observation", "old") != 1 {
		t.Fatal("reindexed rows not replaced (or other types touched)")
	}
	r, err := s.Search(ctx, dsn.SearchQuery{PatientKey: "pk-b", Total: true})
	if err != nil || r.Total != 1 || r.Matches[0].ID != "b" || r.Matches[0].VersionID != 2 {
		t.Fatalf("patient key not replaced, or a version written: %+v %v", r, err)
	}
	h, err := s.History(ctx, dsn.HistoryQuery{Type: "Patient", ID: "b"})
	if err != nil || h.Total != 2 {
		t.Fatalf("history of b after reindex: %d versions, %v, want 2", h.Total, err)
	}
	// Every type; an extraction error stops with the resource named.
	if n, err := rx.Reindex(ctx, "", extract, nil); err != nil || n != 3 {
		t.Fatalf("Reindex(all) = %d, %v, want 3", n, err)
	}
	_, err = rx.Reindex(ctx, "", func(dsn.Resource) (dsn.Index, string, error) {
		return dsn.Index{}, "", dsn.Errorf("x", dsn.KindInvalid, "illisible")
	}, nil)
	wantKind(t, err, dsn.KindInvalid)
}
