package sqlite

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"dsn"
)

// The PutAlls of the fns of one group commit reach the database as one,
// and each fn still answers for itself: a fn failing after its PutAll
// leaves nothing, a conflicting one fails alone (the batch runs again with
// savepoints), a fn reading its own write back sees it.
func TestPutAllMergedPerGroupCommit(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	boom := errors.New("boom")
	w := func(id string) dsn.Write {
		return dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: id, VersionID: 1,
			LastUpdated: time.Unix(1e9, 0).UTC(), Method: "POST", Body: []byte(`{"resourceType":"Patient","id":"` + id + `"}`)},
			Index: dsn.Index{Tokens: []dsn.TokenKey{{Param: "identifier", System: "urn:t", Code: id}}}}
	}
	if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w("taken")) }); err != nil {
		t.Fatal(err)
	}
	// run sends fns as one batch: the first fn holds the writer until the
	// others are queued, so fill takes them all into the next batch.
	run := func(fns ...func(dsn.Tx) error) []error {
		release := make(chan struct{})
		blocked := make(chan error, 1)
		go func() { blocked <- s.Write(ctx, func(dsn.Tx) error { <-release; return nil }) }()
		time.Sleep(50 * time.Millisecond) // the writer is inside the blocking fn
		errs := make([]error, len(fns))
		done := make(chan int, len(fns))
		for i, fn := range fns {
			go func() { errs[i] = s.Write(ctx, fn); done <- i }()
		}
		for len(s.queue.C) < len(fns) {
			time.Sleep(time.Millisecond)
		}
		close(release)
		if err := <-blocked; err != nil {
			t.Fatal(err)
		}
		for range fns {
			<-done
		}
		return errs
	}
	putAll := func(ids ...string) func(dsn.Tx) error {
		return func(tx dsn.Tx) error {
			var ws []dsn.Write
			for _, id := range ids {
				ws = append(ws, w(id))
			}
			return tx.(dsn.BulkTx).PutAll(ws)
		}
	}
	sent := s.held.sent
	errs := run(putAll("a1", "a2"), putAll("b1"), func(tx dsn.Tx) error {
		if err := putAll("c1")(tx); err != nil {
			return err
		}
		return boom
	}, putAll("d1", "d2"))
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], boom) || errs[3] != nil {
		t.Fatalf("errors %v", errs)
	}
	if n := s.held.sent - sent; n != 1 {
		t.Fatalf("%d PutAlls sent for one batch, want 1 (merged)", n)
	}
	stored(t, s, map[string]bool{"a1": true, "a2": true, "b1": true, "c1": false, "d2": true})

	errs = run(putAll("e1"), putAll("f1", "taken"), func(tx dsn.Tx) error {
		if err := putAll("g1")(tx); err != nil {
			return err
		}
		r, err := tx.Read("Patient", "g1")
		if err != nil || r.VersionID != 1 {
			return fmt.Errorf("own write not seen: %v", err)
		}
		return nil
	})
	if errs[0] != nil || dsn.KindOf(errs[1]) != dsn.KindConflict || errs[2] != nil {
		t.Fatalf("errors %v", errs)
	}
	stored(t, s, map[string]bool{"e1": true, "f1": false, "g1": true})
}

// stored checks which Patients exist.
func stored(t *testing.T, s *Store, want map[string]bool) {
	t.Helper()
	for id, there := range want {
		_, err := s.Read(context.Background(), "Patient", id)
		if there && err != nil || !there && dsn.KindOf(err) != dsn.KindNotFound {
			t.Errorf("%s: Read = %v, want stored %v", id, err, there)
		}
	}
}
