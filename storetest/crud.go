package storetest

import (
	"context"
	"errors"
	"testing"

	"dsn"
)

func testCreateRead(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	w := res("Patient", "p1", 1, at(0), dsn.Index{})
	put(t, s, w)
	got, err := s.Read(ctx, "Patient", "p1")
	if err != nil {
		t.Fatal(err)
	}
	checkResource(t, got, w)
	got, err = s.VRead(ctx, "Patient", "p1", 1)
	if err != nil {
		t.Fatal(err)
	}
	checkResource(t, got, w)
	_, err = s.VRead(ctx, "Patient", "p1", 2)
	wantKind(t, err, dsn.KindNotFound)
	_, err = s.Read(ctx, "Patient", "nobody")
	wantKind(t, err, dsn.KindNotFound)
	_, err = s.Read(ctx, "Observation", "p1") // the id is scoped by type
	wantKind(t, err, dsn.KindNotFound)
}

func testUpdateDeleteGone(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	v1, v2, v3 := res("Patient", "p", 1, at(0), dsn.Index{}), res("Patient", "p", 2, at(1), dsn.Index{}), tombstone("Patient", "p", 3, at(2))
	put(t, s, v1)
	put(t, s, v2)
	got, err := s.Read(ctx, "Patient", "p")
	if err != nil {
		t.Fatal(err)
	}
	checkResource(t, got, v2)
	put(t, s, v3)
	got, err = s.Read(ctx, "Patient", "p")
	wantKind(t, err, dsn.KindGone)
	checkResource(t, got, v3) // the tombstone comes back so callers can report its version
	got, err = s.VRead(ctx, "Patient", "p", 3)
	wantKind(t, err, dsn.KindGone)
	checkResource(t, got, v3)
	got, err = s.VRead(ctx, "Patient", "p", 1)
	if err != nil {
		t.Fatal(err)
	}
	checkResource(t, got, v1)
	v4 := res("Patient", "p", 4, at(3), dsn.Index{}) // update after delete revives it
	put(t, s, v4)
	got, err = s.Read(ctx, "Patient", "p")
	if err != nil {
		t.Fatal(err)
	}
	checkResource(t, got, v4)
}

func testVersionConflict(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, res("Patient", "p", 1, at(0), dsn.Index{}))
	for _, w := range []dsn.Write{
		res("Patient", "p", 1, at(1), dsn.Index{}), // already exists
		res("Patient", "p", 3, at(1), dsn.Index{}), // skips a version
		res("Patient", "q", 2, at(1), dsn.Index{}), // new id must start at 1
	} {
		err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) })
		wantKind(t, err, dsn.KindConflict)
	}
	got, err := s.Read(ctx, "Patient", "p")
	if err != nil || got.VersionID != 1 {
		t.Fatalf("after conflicts: v%d, %v; want v1", got.VersionID, err)
	}
	_, err = s.Read(ctx, "Patient", "q")
	wantKind(t, err, dsn.KindNotFound)
}

func testTxSeesOwnWrites(t *testing.T, open Opener) {
	s := open(t)
	tok := dsn.Index{Tokens: []dsn.TokenKey{{Param: "identifier", System: "urn:s", Code: "own"}}}
	err := s.Write(context.Background(), func(tx dsn.Tx) error {
		if _, err := tx.Read("Patient", "p"); dsn.KindOf(err) != dsn.KindNotFound {
			t.Errorf("Tx.Read before Put: %v, want not-found", err)
		}
		if err := tx.Put(res("Patient", "p", 1, at(0), tok)); err != nil {
			return err
		}
		r, err := tx.Read("Patient", "p")
		if err != nil || r.VersionID != 1 {
			t.Errorf("Tx.Read after Put: v%d %v", r.VersionID, err)
		}
		sr, err := tx.Search(dsn.SearchQuery{Type: "Patient", Clauses: []dsn.Clause{{
			Param: "identifier", Type: dsn.ParamToken, Values: []dsn.Value{{System: "urn:s", Code: "own"}}}}})
		if err != nil || len(sr.Matches) != 1 {
			t.Errorf("Tx.Search after Put: %d matches, %v", len(sr.Matches), err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testFailingFnRollsBack(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	err := s.Write(ctx, func(tx dsn.Tx) error {
		if err := tx.Put(res("Patient", "p", 1, at(0), dsn.Index{})); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Write = %v, want fn's error", err)
	}
	_, err = s.Read(ctx, "Patient", "p")
	wantKind(t, err, dsn.KindNotFound)
	put(t, s, res("Patient", "p", 1, at(1), dsn.Index{})) // the id is still free
}

// A transaction Bundle is one fn: a conflict on its second entry must undo the first.
func testConflictRollsBackWholeFn(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, res("Patient", "b", 1, at(0), dsn.Index{}))
	err := s.Write(ctx, func(tx dsn.Tx) error {
		if err := tx.Put(res("Patient", "a", 1, at(1), dsn.Index{})); err != nil {
			return err
		}
		return tx.Put(res("Patient", "b", 1, at(1), dsn.Index{}))
	})
	wantKind(t, err, dsn.KindConflict)
	_, err = s.Read(ctx, "Patient", "a")
	wantKind(t, err, dsn.KindNotFound)
}

func testCancelledContext(t *testing.T, open Opener) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Write(ctx, func(tx dsn.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("Write with a cancelled context: err=%v ran=%v, want an error and fn not run", err, ran)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Write error %v does not wrap context.Canceled", err)
	}
}
