package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"

	"dsn"
	"dsn/repo"
)

// Writes without If-Match of one resource from 16 clients at once all
// succeed, and none ever loses a version race: the store serialises writers
// of one resource (samewrite.go, decision 0038), so repo.retryRace, kept as
// a fallback, is never needed (raceStore counts what it would have retried).
// Before, some answered 409 "version conflict" (seen in `dsn bench` history
// seeding while the MPI linker wrote the same registration), then retries
// hid most of them, and a patch could still starve.
func TestUpdateWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc, races := raceService(t)
	body := func(n int) []byte {
		return []byte(fmt.Sprintf(`{"resourceType":"Basic","id":"race","code":{"text":"v%d"}}`, n))
	}
	n := raceWrites(t, 16, 12, func(n int) error {
		_, err := svc.Update(ctx, "Basic", "race", body(n), 0)
		return err
	})
	wantVersion(t, svc, "race", int64(n))
	races.none(t)
}

// The same for conditional updates of one resource (http.html#cond-update).
func TestConditionalUpdateWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc, races := raceService(t)
	crit := url.Values{"identifier": {"urn:test|race"}}
	raceWrites(t, 16, 8, func(n int) error {
		body := fmt.Sprintf(`{"resourceType":"Basic","identifier":[{"system":"urn:test","value":"race"}],"code":{"text":"v%d"}}`, n)
		_, err := svc.ConditionalUpdate(ctx, "Basic", crit, []byte(body), 0)
		return err
	})
	races.none(t)
}

// And for JSON Patches without If-Match (http.html#patch): a patch whose base
// changed before its write is applied to the version its write reads.
func TestPatchWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc, races := raceService(t)
	if _, err := svc.Update(ctx, "Basic", "race", []byte(`{"resourceType":"Basic","id":"race","code":{"text":"v0"},"extension":[{"url":"urn:start","valueString":"s"}]}`), 0); err != nil {
		t.Fatal(err)
	}
	// each patch appends its number: every one must be in the result, so each
	// was applied to the version before it, not to a stale base
	n := raceWrites(t, 16, 8, func(n int) error {
		doc := fmt.Sprintf(`[{"op":"replace","path":"/code/text","value":"v%d"},{"op":"add","path":"/extension/-","value":{"url":"urn:n","valueInteger":%d}}]`, n, n)
		_, err := svc.Patch(ctx, "Basic", "race", []byte(doc), 0)
		return err
	})
	cur := wantVersion(t, svc, "race", int64(n+1)) // the create and one per patch
	seen := map[string]bool{}
	for _, m := range regexpInts.FindAllStringSubmatch(string(cur.Body), -1) {
		seen[m[1]] = true
	}
	if len(seen) != n {
		t.Fatalf("the result holds %d of the %d patches' extensions", len(seen), n)
	}
	races.none(t)
}

// Deletes and updates of one resource without If-Match, interleaved: none
// fails, and the versions are one per update plus one per delete that found
// the resource alive.
func TestDeleteWithoutIfMatchRacesNoConflict(t *testing.T) {
	ctx := context.Background()
	svc, races := raceService(t)
	var tombstones atomic.Int64
	n := raceWrites(t, 16, 8, func(n int) error {
		if n%2 == 1 {
			out, err := svc.Delete(ctx, "Basic", "race", 0)
			if err == nil && !out.Noop {
				tombstones.Add(1)
			}
			return err
		}
		_, err := svc.Update(ctx, "Basic", "race", []byte(`{"resourceType":"Basic","id":"race","code":{"text":"x"}}`), 0)
		return err
	})
	updates := int64(n+1) / 2 // n = 0 and every even n
	h, err := races.History(ctx, dsn.HistoryQuery{Type: "Basic", ID: "race", Count: 1})
	if err != nil || len(h.Entries) == 0 || h.Entries[0].VersionID != updates+tombstones.Load() {
		t.Fatalf("history = %+v, %v; want version %d", h.Entries, err, updates+tombstones.Load())
	}
	races.none(t)
}

// Two transaction Bundles updating the same two resources in opposite orders,
// 8 clients each way at once: without a fixed lock order they would deadlock
// (PostgreSQL then fails one: 409). None fails and each resource gets one
// version per Bundle.
func TestTransactionsOppositeOrdersNoDeadlock(t *testing.T) {
	ctx := context.Background()
	svc, races := raceService(t)
	entry := func(id string, n int) string {
		return fmt.Sprintf(`{"resource":{"resourceType":"Basic","id":%q,"code":{"text":"v%d"}},"request":{"method":"PUT","url":"Basic/%s"}}`, id, n, id)
	}
	n := raceWrites(t, 16, 6, func(n int) error {
		a, b := "left", "right"
		if n%2 == 1 {
			a, b = b, a
		}
		body := fmt.Sprintf(`{"resourceType":"Bundle","type":"transaction","entry":[%s,%s]}`, entry(a, n), entry(b, n))
		_, err := svc.Bundle(ctx, "http://x/fhir", []byte(body), false)
		return err
	})
	wantVersion(t, svc, "left", int64(n))
	wantVersion(t, svc, "right", int64(n))
	races.none(t)
}

var regexpInts = regexp.MustCompile(`"valueInteger":\s*(\d+)`)

// raceStore counts the Writes that lost a version race (what repo.retryRace
// retries).
type raceStore struct {
	dsn.Store
	races atomic.Int64
}

func (r *raceStore) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	err := r.Store.Write(ctx, fn)
	if errors.Is(err, dsn.ErrVersionRace) {
		r.races.Add(1)
	}
	return err
}

func (r *raceStore) Unwrap() dsn.Store { return r.Store }

func (r *raceStore) none(t *testing.T) {
	t.Helper()
	if n := r.races.Load(); n > 0 {
		t.Fatalf("%d writes lost a version race (the store must serialise writers of one resource)", n)
	}
}

func raceService(t *testing.T) (*repo.Service, *raceStore) {
	rs := &raceStore{Store: openTest(t)}
	return repo.New(repo.Options{Store: rs}), rs
}

func wantVersion(t *testing.T, svc *repo.Service, id string, want int64) dsn.Resource {
	t.Helper()
	cur, err := svc.Read(context.Background(), "Basic", id)
	if err != nil {
		t.Fatal(err)
	}
	if cur.VersionID != want {
		t.Fatalf("Basic/%s: current version %d, want %d (one per write)", id, cur.VersionID, want)
	}
	return cur
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
