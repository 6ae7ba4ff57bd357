package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"dsn"
)

// 16 writers at once, every fifth fn failing after its Put: with group commit
// the failures share transactions with successes and must not affect them.
func testConcurrentWriters(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const writers, each = 16, 25
	errs := concurrently(writers, each, func(g, i int) error {
		id := fmt.Sprintf("c%d-%d", g, i)
		return s.Write(ctx, func(tx dsn.Tx) error {
			if err := tx.Put(res("Patient", id, 1, at(i), tokenIndex("batch", id))); err != nil {
				return err
			}
			if i%5 == 0 {
				return errBoom
			}
			return nil
		})
	})
	for g := range writers {
		for i := range each {
			id := fmt.Sprintf("c%d-%d", g, i)
			_, rerr := s.Read(ctx, "Patient", id)
			if i%5 == 0 {
				if !errors.Is(errs[g][i], errBoom) {
					t.Fatalf("%s: Write = %v, want its own error", id, errs[g][i])
				}
				wantKind(t, rerr, dsn.KindNotFound)
				continue
			}
			if errs[g][i] != nil || rerr != nil {
				t.Fatalf("%s: Write = %v, Read = %v", id, errs[g][i], rerr)
			}
		}
	}
	sr, err := s.Search(ctx, dsn.SearchQuery{Type: "Patient", Total: true, Clauses: []dsn.Clause{{
		Param: "tag", Type: dsn.ParamToken, Values: []dsn.Value{{System: "urn:batch", AnySystem: false}}}}})
	if err != nil || sr.Total != writers*each*4/5 {
		t.Fatalf("index rows of committed writes: total %d, %v; want %d", sr.Total, err, writers*each*4/5)
	}
}

// concurrently runs fn(g, i) for i < each on writers goroutines g at once and
// returns every outcome, by goroutine and call.
func concurrently(writers, each int, fn func(g, i int) error) [][]error {
	errs := make([][]error, writers)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		errs[g] = make([]error, each)
		go func() {
			defer wg.Done()
			for i := range each {
				errs[g][i] = fn(g, i)
			}
		}()
	}
	wg.Wait()
	return errs
}

func tokenIndex(set, code string) dsn.Index {
	return dsn.Index{Tokens: []dsn.TokenKey{{Param: "tag", System: "urn:" + set, Code: code}}}
}

// Close lets queued writes commit: every Write that reported success is there
// after reopening, every refused one reports KindUnavailable and is absent.
func testCloseDrains(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	firstErr := make(chan error, 1)
	go func() {
		firstErr <- s.Write(ctx, func(tx dsn.Tx) error {
			close(started)
			<-release // hold the writer so that the next writes queue up
			return tx.Put(res("Patient", "first", 1, at(0), dsn.Index{}))
		})
	}()
	<-started
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Write(ctx, func(tx dsn.Tx) error {
				return tx.Put(res("Patient", fmt.Sprintf("q%d", i), 1, at(i), dsn.Index{}))
			})
		}()
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	close(release)
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-firstErr; err != nil {
		t.Fatalf("the write in progress at Close failed: %v", err)
	}
	s = open(t)
	if _, err := s.Read(ctx, "Patient", "first"); err != nil {
		t.Fatalf("the write in progress at Close is lost: %v", err)
	}
	for i, err := range errs {
		_, rerr := s.Read(ctx, "Patient", fmt.Sprintf("q%d", i))
		switch {
		case err == nil && rerr != nil:
			t.Fatalf("q%d: acknowledged but lost after Close: %v", i, rerr)
		case err != nil && dsn.KindOf(err) != dsn.KindUnavailable:
			t.Fatalf("q%d: Write during Close = %v, want success or KindUnavailable", i, err)
		case err != nil && rerr == nil:
			t.Fatalf("q%d: refused but stored", i)
		}
	}
	if err := s.Write(ctx, func(dsn.Tx) error { return nil }); err != nil {
		t.Fatalf("Write on the reopened store: %v", err)
	}
}

// Reopening applies no migration twice and keeps the data.
func testReopen(t *testing.T, open Opener) {
	s := open(t)
	w := res("Patient", "p", 1, at(0), dsn.Index{})
	put(t, s, w)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	err := s.Write(context.Background(), func(dsn.Tx) error { return nil })
	wantKind(t, err, dsn.KindUnavailable)
	_, err = s.Read(context.Background(), "Patient", "p")
	wantKind(t, err, dsn.KindUnavailable)
	_, err = s.Search(context.Background(), dsn.SearchQuery{Type: "Patient"})
	wantKind(t, err, dsn.KindUnavailable)
	s = open(t)
	got, err := s.Read(context.Background(), "Patient", "p")
	if err != nil {
		t.Fatal(err)
	}
	checkResource(t, got, w)
}

// A caller whose context ends while its write waits in the queue gets an error
// wrapping the context's, and its fn never runs nor commits. (With several
// writers the write may already be running when the context ends; then it must
// succeed. Either way the outcome and the data agree.)
func testCancelWhileQueued(t *testing.T, open Opener) {
	s := open(t)
	started, release := make(chan struct{}), make(chan struct{})
	firstErr := make(chan error, 1)
	go func() {
		firstErr <- s.Write(context.Background(), func(tx dsn.Tx) error {
			close(started)
			<-release // hold the writer so that the next write queues
			return tx.Put(res("Patient", "first", 1, at(0), dsn.Index{}))
		})
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Bool
	done := make(chan error, 1)
	go func() {
		done <- s.Write(ctx, func(tx dsn.Tx) error {
			ran.Store(true)
			return tx.Put(res("Patient", "late", 1, at(1), dsn.Index{}))
		})
	}()
	cancel()
	err := <-done
	close(release)
	if e := <-firstErr; e != nil {
		t.Fatal(e)
	}
	_, rerr := s.Read(context.Background(), "Patient", "late")
	switch {
	case err == nil && rerr != nil:
		t.Fatalf("acknowledged write is missing: %v", rerr)
	case err != nil && !errors.Is(err, context.Canceled):
		t.Fatalf("Write after cancel = %v, want context.Canceled", err)
	case err != nil && ran.Load():
		t.Fatal("the fn of a cancelled write ran")
	case err != nil:
		wantKind(t, rerr, dsn.KindNotFound)
	}
}
