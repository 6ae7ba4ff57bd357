package postgres

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"dsn/repo"
)

// PUTs and DELETEs without If-Match of one resource from many clients at once
// all succeed: a writer that loses the race to another of the store's writers
// (dsn.ErrVersionRace) runs again (repo.retryRace), as http.html#update asks
// for an update that names no version. Before, some answered 409 "version
// conflict" (seen in `dsn bench` history seeding while the MPI linker wrote
// the same registration).
func TestUpdateWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc := repo.New(repo.Options{Store: openTest(t)})
	const clients, each = 8, 12
	body := func(n int) []byte {
		return []byte(fmt.Sprintf(`{"resourceType":"Basic","id":"race","code":{"text":"v%d"}}`, n))
	}
	if _, err := svc.Update(ctx, "Basic", "race", body(0), 0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := svc.Update(ctx, "Basic", "race", body(c*each+i+1), 0); err != nil {
					errs <- err
				}
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("PUT without If-Match: %v", err)
	}
	cur, err := svc.Read(ctx, "Basic", "race")
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1 + clients*each); cur.VersionID != want {
		t.Fatalf("current version %d, want %d (one per PUT)", cur.VersionID, want)
	}
}

// The same for conditional updates of one resource (http.html#cond-update).
func TestConditionalUpdateWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc := repo.New(repo.Options{Store: openTest(t)})
	const clients, each = 8, 8
	body := func(n int) []byte {
		return []byte(fmt.Sprintf(`{"resourceType":"Basic","identifier":[{"system":"urn:test","value":"race"}],"code":{"text":"v%d"}}`, n))
	}
	crit := url.Values{"identifier": {"urn:test|race"}}
	if _, err := svc.ConditionalUpdate(ctx, "Basic", crit, body(0), 0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := svc.ConditionalUpdate(ctx, "Basic", crit, body(c*each+i+1), 0); err != nil {
					errs <- err
				}
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("conditional PUT without If-Match: %v", err)
	}
}
