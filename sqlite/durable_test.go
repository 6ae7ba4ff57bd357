package sqlite

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"dsn"
)

func putPatient(id string) func(dsn.Tx) error {
	return func(tx dsn.Tx) error {
		return tx.Put(dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: id, VersionID: 1,
			Method: "POST", Body: []byte(`{"resourceType":"Patient"}`)}})
	}
}

// After Write returns, a second Store opened on the same directory (as a new
// process would, while the first one still runs) sees the write.
func TestAcknowledgedWriteSeenByNewStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(context.Background(), putPatient("p1")); err != nil {
		t.Fatal(err)
	}
	// fsyncWAL treats a missing file as nothing to flush: the name must be right
	if fi, err := os.Stat(s.walPath); err != nil || fi.Size() == 0 {
		t.Fatalf("the WAL that is fsynced is not at %s: %v", s.walPath, err)
	}
	s2, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Read(context.Background(), "Patient", "p1"); err != nil {
		t.Fatalf("new store does not see the acknowledged write: %v", err)
	}
}

// Every acknowledgement comes after an fsync of the WAL that started after the
// write's COMMIT: the fn records how many fsyncs had completed when it ran, and
// once Write returns at least one more must have completed.
func TestAckWaitsForSync(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var completed atomic.Int64
	real := s.syncWAL
	s.syncWAL = func() error {
		err := real()
		completed.Add(1)
		return err
	}
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seen int64
			id := "p" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			err := s.Write(context.Background(), func(tx dsn.Tx) error {
				seen = completed.Load()
				return putPatient(id)(tx)
			})
			if err != nil {
				t.Error(err)
				return
			}
			if completed.Load() <= seen {
				t.Errorf("write %s acknowledged before its WAL fsync (%d fsyncs before and after)", id, seen)
			}
		}()
	}
	wg.Wait()
}

// A failed fsync fails the batch's callers and every later write: the store
// cannot promise durability any more.
func TestFailedSyncIsFinal(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var calls atomic.Int64
	s.syncWAL = func() error { calls.Add(1); return errors.New("EIO") }
	for _, id := range []string{"a", "b"} {
		err := s.Write(context.Background(), putPatient(id))
		if dsn.KindOf(err) != dsn.KindInternal {
			t.Fatalf("write %s after a failed fsync: %v, want KindInternal", id, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("fsync retried %d times after failing", calls.Load())
	}
}

// A fn that fails after writing, in the same batch as one that succeeds: the
// batch is rolled back and run again with a savepoint per fn, so the good fn
// runs twice and commits, the failing one leaves nothing.
func TestFailAfterWriteRerunsBatch(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Write(ctx, func(tx dsn.Tx) error {
			select {
			case <-started:
			default:
				close(started)
				<-release // hold the writer so that the next two queue into one batch
			}
			return putPatient("first")(tx)
		})
	}()
	<-started
	var goodRuns atomic.Int64
	errs := make(chan error, 2)
	go func() {
		errs <- s.Write(ctx, func(tx dsn.Tx) error { goodRuns.Add(1); return putPatient("good")(tx) })
	}()
	for len(s.queue.C) < 1 {
		runtime.Gosched() // good is queued first, so it runs before bad in the batch
	}
	go func() {
		errs <- s.Write(ctx, func(tx dsn.Tx) error {
			if err := putPatient("bad")(tx); err != nil {
				return err
			}
			return errors.New("boom")
		})
	}()
	for len(s.queue.C) < 2 {
		runtime.Gosched() // wait until both are queued behind the held batch
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	var failed int
	for range 2 {
		if err := <-errs; err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("%d of the two writes failed, want 1", failed)
	}
	if _, err := s.Read(ctx, "Patient", "good"); err != nil {
		t.Fatalf("good write lost: %v", err)
	}
	if _, err := s.Read(ctx, "Patient", "bad"); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("failed write left a resource: %v", err)
	}
	if goodRuns.Load() != 2 {
		t.Fatalf("good fn ran %d times, want 2 (bare pass, then savepoint pass)", goodRuns.Load())
	}
}

// Writes that arrive while an earlier batch's fsync is still running join one
// open transaction (write.go, extend) and share one COMMIT and one fsync.
func TestWritesDuringSyncShareOneCommit(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	real := s.syncWAL
	release := make(chan struct{})
	var calls atomic.Int64
	s.syncWAL = func() error {
		if calls.Add(1) == 1 {
			<-release // hold the first batch's fsync
		}
		return real()
	}
	first := make(chan error, 1)
	go func() { first <- s.Write(context.Background(), putPatient("a")) }()
	for calls.Load() == 0 {
		runtime.Gosched()
	}
	ran := make(chan struct{}, 3)
	var wg sync.WaitGroup
	for _, id := range []string{"b", "c", "d"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Write(context.Background(), func(tx dsn.Tx) error {
				ran <- struct{}{}
				return putPatient(id)(tx)
			})
			if err != nil {
				t.Error(err)
			}
		}()
		<-ran // one after the other, each while the first fsync is held
	}
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d fsyncs for a batch and three writes queued behind its fsync, want 2", n)
	}
}
