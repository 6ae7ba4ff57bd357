package postgres

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"dsn/repo"
)

// PUTs without If-Match of one resource from many clients at once all succeed:
// a writer that loses the race to another of the store's writers
// (dsn.ErrVersionRace) runs again (repo.retryRace), as http.html#update asks
// for an update that names no version. Before, some answered 409 "version
// conflict" (seen in `dsn bench` history seeding while the MPI linker wrote
// the same registration).
func TestUpdateWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc := repo.New(repo.Options{Store: openTest(t)})
	body := func(n int) []byte {
		return []byte(fmt.Sprintf(`{"resourceType":"Basic","id":"race","code":{"text":"v%d"}}`, n))
	}
	n := raceWrites(t, 8, 12, func(n int) error {
		_, err := svc.Update(ctx, "Basic", "race", body(n), 0)
		return err
	})
	cur, err := svc.Read(ctx, "Basic", "race")
	if err != nil {
		t.Fatal(err)
	}
	if cur.VersionID != int64(n) {
		t.Fatalf("current version %d, want %d (one per PUT)", cur.VersionID, n)
	}
}

// The same for conditional updates of one resource (http.html#cond-update).
func TestConditionalUpdateWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc := repo.New(repo.Options{Store: openTest(t)})
	crit := url.Values{"identifier": {"urn:test|race"}}
	raceWrites(t, 8, 8, func(n int) error {
		body := fmt.Sprintf(`{"resourceType":"Basic","identifier":[{"system":"urn:test","value":"race"}],"code":{"text":"v%d"}}`, n)
		_, err := svc.ConditionalUpdate(ctx, "Basic", crit, []byte(body), 0)
		return err
	})
}

// And for JSON Patches without If-Match (http.html#patch): a patch whose base
// changed, or whose write lost to another writer, is patched again.
func TestPatchWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc := repo.New(repo.Options{Store: openTest(t)})
	if _, err := svc.Update(ctx, "Basic", "race", []byte(`{"resourceType":"Basic","id":"race","code":{"text":"v0"}}`), 0); err != nil {
		t.Fatal(err)
	}
	// 4 clients: a patch's window (read, patch, validate, write) is wider than
	// a PUT's, and 8 clients on one resource can starve one of them.
	n := raceWrites(t, 4, 8, func(n int) error {
		doc := fmt.Sprintf(`[{"op":"replace","path":"/code/text","value":"v%d"}]`, n)
		_, err := svc.Patch(ctx, "Basic", "race", []byte(doc), 0)
		return err
	})
	cur, err := svc.Read(ctx, "Basic", "race")
	if err != nil {
		t.Fatal(err)
	}
	if cur.VersionID != int64(n+1) {
		t.Fatalf("current version %d, want %d (the create and one per patch)", cur.VersionID, n+1)
	}
}

// raceWrites writes once (n = 0), then runs clients goroutines of each writes
// (n = 1…clients×each) at once; every write must succeed. It returns the
// number of writes.
func raceWrites(t *testing.T, clients, each int, write func(n int) error) int {
	t.Helper()
	if err := write(0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := write(c*each + i + 1); err != nil {
					errs <- err
				}
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("write without If-Match: %v", err)
	}
	return 1 + clients*each
}
