package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"dsn"
)

// testJobs: a job exists if and only if the transaction that queued it
// committed, survives a reopen, is listed in order per kind, and is gone once
// deleted — also when its fn shares a group commit with a failing one.
func testJobs(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	job := func(key string, n int) dsn.Job { return dsn.Job{Kind: "k", Key: key, Created: at(n)} }
	put1 := func(key string, n int) func(dsn.Tx) error {
		return func(tx dsn.Tx) error {
			if err := tx.Put(res("Patient", key, 1, at(n), dsn.Index{})); err != nil {
				return err
			}
			return tx.AddJob(job(key, n))
		}
	}
	if err := s.Write(ctx, put1("a", 0)); err != nil {
		t.Fatal(err)
	}
	// a failing fn takes its job with it, concurrent successful ones keep theirs
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, key := range []string{"b", "bad", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Write(ctx, func(tx dsn.Tx) error {
				if err := put1(key, i+1)(tx); err != nil || key != "bad" {
					return err
				}
				return errBoom
			})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], errBoom) {
		t.Fatalf("Write errors = %v", errs)
	}
	if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.AddJob(dsn.Job{Kind: "other", Key: "x", Created: at(9)}) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t)
	defer s.Close()
	jobs, err := s.Jobs(ctx, "k", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for i, j := range jobs {
		keys[j.Key] = true
		if j.Kind != "k" || (i > 0 && j.Seq <= jobs[i-1].Seq) {
			t.Fatalf("jobs = %+v: want kind k in Seq order", jobs)
		}
	}
	if len(jobs) != 3 || !keys["a"] || !keys["b"] || !keys["c"] || jobs[0].Key != "a" || !jobs[0].Created.Equal(at(0)) {
		t.Fatalf("jobs = %+v, want a, b, c (a first, created at %v)", jobs, at(0))
	}
	if page, _ := s.Jobs(ctx, "k", jobs[0].Seq, 1); len(page) != 1 || page[0].Seq != jobs[1].Seq {
		t.Fatalf("Jobs after %d limit 1 = %+v, want the second job", jobs[0].Seq, page)
	}
	if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.DeleteJobs([]int64{jobs[0].Seq, jobs[2].Seq, 1 << 40}) }); err != nil {
		t.Fatal(err)
	}
	left, err := s.Jobs(ctx, "k", 0, 10)
	if err != nil || len(left) != 1 || left[0].Seq != jobs[1].Seq {
		t.Fatalf("after delete: %+v, %v; want only %+v", left, err, jobs[1])
	}
	// a delete in a failing fn is undone
	err = s.Write(ctx, func(tx dsn.Tx) error {
		if err := tx.DeleteJobs([]int64{left[0].Seq}); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatal(err)
	}
	if again, _ := s.Jobs(ctx, "k", 0, 10); len(again) != 1 {
		t.Fatalf("a rolled-back delete removed the job: %+v", again)
	}
	if other, _ := s.Jobs(ctx, "other", 0, 10); len(other) != 1 || other[0].Key != "x" {
		t.Fatalf("kind other = %+v", other)
	}
}
