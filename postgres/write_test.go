package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/sqlstore"
	"dsn/storetest"
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
		// the read sends the held creates (createmerge.go): the fn has written
		if _, err := tx.Read("Patient", "bad"); err != nil {
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

// The creates of a batch are held and written with the COMMIT (createmerge.go).
// A fn failing before they are sent leaves nothing and reruns nobody; a
// create whose resource exists, or that a fn of the same batch created first,
// reruns the batch with savepoints, where it alone gets the version conflict.
func TestCreatesHeldUntilCommit(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put := func(tx dsn.Tx, id string) error {
		return tx.Put(dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: id, VersionID: 1, Method: "POST",
			LastUpdated: time.Now().UTC(), Body: []byte(`{"resourceType":"Patient"}`)},
			Index: dsn.Index{Tokens: []dsn.TokenKey{{Param: "identifier", System: "urn:s", Code: id}}}})
	}
	runs := map[string]int{}
	create := func(id string) *sqlstore.Request {
		return sqlstore.NewRequest(ctx, func(tx dsn.Tx) error { runs[id]++; return put(tx, id) })
	}
	failing := sqlstore.NewRequest(ctx, func(tx dsn.Tx) error {
		if err := put(tx, "dropped"); err != nil {
			return err
		}
		return errors.New("refused")
	})
	reqs := []*sqlstore.Request{create("a"), failing, create("b")}
	s.runBatch(idleWriter(t, s), reqs)
	if reqs[0].Result() != nil || reqs[1].Result() == nil || reqs[2].Result() != nil {
		t.Fatalf("results: %v %v %v", reqs[0].Result(), reqs[1].Result(), reqs[2].Result())
	}
	if runs["a"] != 1 || runs["b"] != 1 {
		t.Fatalf("runs %v: a failure before the creates were sent reran the batch", runs)
	}
	if _, err := s.Read(ctx, "Patient", "dropped"); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("a failed fn's held create was stored: %v", err)
	}
	// a exists; d twice in the batch: the second d and the new a conflict
	reqs = []*sqlstore.Request{create("c"), create("a"), create("d"), create("d")}
	s.runBatch(idleWriter(t, s), reqs)
	for i, want := range []dsn.Kind{0, dsn.KindConflict, 0, dsn.KindConflict} {
		if err := reqs[i].Result(); want == 0 && err != nil || want != 0 && dsn.KindOf(err) != want {
			t.Fatalf("fn %d: %v, want kind %v", i, err, want)
		}
	}
	if runs["c"] != 2 {
		t.Fatalf("c ran %d times, want 2 (held pass, then savepoint pass)", runs["c"])
	}
	for _, id := range []string{"a", "b", "c", "d"} {
		r, err := s.Search(ctx, dsn.SearchQuery{Type: "Patient", Clauses: []dsn.Clause{{Param: "identifier",
			Type: dsn.ParamToken, Values: []dsn.Value{{System: "urn:s", Code: id}}}}})
		if err != nil || len(r.Matches) != 1 || r.Matches[0].ID != id {
			t.Fatalf("search identifier %s: %v %+v", id, err, r)
		}
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

// Two processes on one database creating the same resources at once (two
// servers behind a balancer, a client retrying on both): every resource is
// created exactly once, every other attempt is a version conflict, and no
// index row is doubled. The held creates of both stores' batches meet on
// UNIQUE (type, id), as dsn_put's do (createmerge.go).
func TestTwoStoresCreateSameResources(t *testing.T) {
	ctx := context.Background()
	u := freshSchema(t)
	stores := storetest.OpenAtOnce(t, 2, func(ctx context.Context) (*Store, error) { return Open(ctx, u) })
	const ids, clients = 40, 8
	var created, conflicts atomic.Int64
	var wg sync.WaitGroup
	for _, s := range stores {
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range ids {
					id := fmt.Sprintf("p%d", (i+c*7)%ids)
					err := s.Write(ctx, func(tx dsn.Tx) error {
						return tx.Put(dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: id, VersionID: 1, Method: "PUT",
							LastUpdated: time.Now().UTC(), Body: []byte(`{"resourceType":"Patient"}`)},
							Index: dsn.Index{Tokens: []dsn.TokenKey{{Param: "identifier", System: "urn:s", Code: id}}}})
					})
					switch {
					case err == nil:
						created.Add(1)
					case dsn.KindOf(err) == dsn.KindConflict:
						conflicts.Add(1)
					default:
						t.Errorf("create %s: %v", id, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	if created.Load() != ids || conflicts.Load() != 2*clients*ids-ids {
		t.Fatalf("%d created, %d conflicts; want %d and %d", created.Load(), conflicts.Load(), ids, 2*clients*ids-ids)
	}
	var versions, rows int
	c := stores[0].wconns[0]
	if err := c.QueryRow(ctx, "SELECT count(*) FROM resource_version").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, "SELECT count(*) FROM idx_token").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if versions != ids || rows != ids {
		t.Fatalf("%d versions and %d token rows for %d resources", versions, rows, ids)
	}
}
