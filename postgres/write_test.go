package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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
	s.runBatch(idleWriter(t, s), []*sqlstore.Request{good, bad})
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

// Job inserts wait for the next round trip (tx.AddJob): the next fn's first
// statement or the COMMIT. In one batch, a job of a fn followed by a fn that
// fails without writing, by a fn that writes, and by the COMMIT must all be
// stored; a failing fn's own job must not, also when the batch reruns with
// savepoints.
func TestJobsTravelWithNextStatement(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	job := func(key string) dsn.Job { return dsn.Job{Kind: "test", Key: key, Created: time.Now().UTC()} }
	put := func(tx dsn.Tx, id string) error {
		return tx.Put(dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: id, VersionID: 1,
			Method: "POST", Body: []byte(`{"resourceType":"Patient"}`)}})
	}
	keys := func() []string {
		js, err := s.Jobs(ctx, "test", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, j := range js {
			out = append(out, j.Key)
		}
		return out
	}
	// bare pass: a → (refused without writing) → b writes → c's job with the COMMIT
	reqs := []*sqlstore.Request{
		sqlstore.NewRequest(ctx, func(tx dsn.Tx) error { return tx.AddJob(job("a")) }),
		sqlstore.NewRequest(ctx, func(tx dsn.Tx) error { return errors.New("refused") }),
		sqlstore.NewRequest(ctx, func(tx dsn.Tx) error {
			if err := put(tx, "p1"); err != nil {
				return err
			}
			return tx.AddJob(job("b"))
		}),
		sqlstore.NewRequest(ctx, func(tx dsn.Tx) error { return tx.AddJob(job("c")) }),
	}
	s.runBatch(idleWriter(t, s), reqs)
	for i, want := range []bool{true, false, true, true} {
		if err := reqs[i].Result(); (err == nil) != want {
			t.Fatalf("fn %d: %v", i, err)
		}
	}
	if got := strings.Join(keys(), ","); got != "a,b,c" {
		t.Fatalf("jobs %q, want a,b,c", got)
	}
	// savepoint pass: e fails after writing and queuing its job
	reqs = []*sqlstore.Request{
		sqlstore.NewRequest(ctx, func(tx dsn.Tx) error { return tx.AddJob(job("d")) }),
		sqlstore.NewRequest(ctx, func(tx dsn.Tx) error {
			if err := tx.AddJob(job("e")); err != nil {
				return err
			}
			if err := put(tx, "p2"); err != nil {
				return err
			}
			return errors.New("boom")
		}),
		sqlstore.NewRequest(ctx, func(tx dsn.Tx) error { return tx.AddJob(job("f")) }),
	}
	s.runBatch(idleWriter(t, s), reqs)
	if reqs[0].Result() != nil || reqs[1].Result() == nil || reqs[2].Result() != nil {
		t.Fatalf("results: %v %v %v", reqs[0].Result(), reqs[1].Result(), reqs[2].Result())
	}
	if got := strings.Join(keys(), ","); got != "a,b,c,d,f" {
		t.Fatalf("jobs %q, want a,b,c,d,f", got)
	}
	if _, err := s.Read(ctx, "Patient", "p2"); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("failed fn's write kept: %v", err)
	}
}

// idleWriter is writer 0's connection, for a test to run batches on while
// nothing is queued (the writers are idle).
func idleWriter(t *testing.T, s *Store) *pgx.Conn {
	t.Helper()
	c, err := s.writerConn(0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
