package storetest

import (
	"context"
	"os"
	"sync"
	"testing"

	"dsn"
)

// PerTest makes the Opener of an adapter: each test gets one database made by
// fresh (a data directory, a schema URL), opened by open and closed at the
// end of the test; opening again within the test reopens the same database.
func PerTest(fresh func(t *testing.T) string, open func(ctx context.Context, where string) (dsn.Store, error)) Opener {
	var dbs sync.Map // *testing.T -> string
	return func(t *testing.T) dsn.Store {
		t.Helper()
		where, ok := dbs.Load(t)
		if !ok {
			where, _ = dbs.LoadOrStore(t, fresh(t))
			t.Cleanup(func() { dbs.Delete(t) })
		}
		s, err := open(context.Background(), where.(string))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// Golden compares got with the file at path, or rewrites the file when update
// is set (the caller's -update flag).
func Golden(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run with -update if intended):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// OpenAtOnce opens n stores on one database concurrently, as n processes
// starting together would, and fails the test if any Open fails (their
// migrations must serialise, not collide). The stores close with the test.
func OpenAtOnce[S dsn.Store](t *testing.T, n int, open func(ctx context.Context) (S, error)) []S {
	t.Helper()
	var wg sync.WaitGroup
	stores := make([]S, n)
	errs := make([]error, n)
	for i := range stores {
		wg.Add(1)
		go func() { defer wg.Done(); stores[i], errs[i] = open(context.Background()) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	return stores
}
