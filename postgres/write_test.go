package postgres

import (
	"context"
	"errors"
	"testing"

	"dsn"
	"dsn/internal/sqlstore"
)

// A fn that fails after writing, in the same batch as one that succeeds: the
// pass without savepoints is rolled back and the batch reruns with a savepoint
// per fn, so the good fn runs twice and commits, the failing one leaves nothing.
func TestFailAfterWriteRerunsBatch(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put := func(id string) func(dsn.Tx) error {
		return func(tx dsn.Tx) error {
			return tx.Put(dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: id, VersionID: 1,
				Method: "POST", Body: []byte(`{"resourceType":"Patient"}`)}})
		}
	}
	goodRuns := 0
	good := sqlstore.NewRequest(ctx, func(tx dsn.Tx) error { goodRuns++; return put("good")(tx) })
	bad := sqlstore.NewRequest(ctx, func(tx dsn.Tx) error {
		if err := put("bad")(tx); err != nil {
			return err
		}
		return errors.New("boom")
	})
	// The writers are idle (nothing queued), so the test may use one's connection.
	s.runBatch(s.writerConn(0), []*sqlstore.Request{good, bad})
	if err := good.Result(); err != nil {
		t.Fatalf("good: %v", err)
	}
	if err := bad.Result(); err == nil {
		t.Fatal("bad: no error")
	}
	if goodRuns != 2 {
		t.Fatalf("good fn ran %d times, want 2 (bare pass, then savepoint pass)", goodRuns)
	}
	if _, err := s.Read(ctx, "Patient", "good"); err != nil {
		t.Fatalf("good write lost: %v", err)
	}
	if _, err := s.Read(ctx, "Patient", "bad"); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("failed write left a resource: %v", err)
	}
}
