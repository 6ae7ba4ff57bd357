package provincial

import (
	"testing"

	"dsn/fhir"
)

// The queue lists open reviews best first; the duplicate report lists pairs
// of registrations in different golden records, and forgets them once an
// archivist has decided.
func TestQueueAndDuplicates(t *testing.T) {
	e := newEnv(t)
	e.put("s1", pierreN)
	e.put("s4", marie)
	e.drain()
	e.put("s2", person{family: "Tremblay", given: "Pierre", birth: "1965-05-03", gender: "male"}) // 24.9 bits
	e.put("s3", person{family: "Tremblay", given: "Pierre", birth: "1965-03-15", gender: "male"}) // 22 bits
	e.drain()
	items, total, err := e.svc.Queue(e.ctx, 10)
	if err != nil || total < 2 || len(items) != total {
		t.Fatalf("queue: %d items of %d, %v", len(items), total, err)
	}
	for i := 1; i < len(items); i++ {
		if items[i].Score > items[i-1].Score {
			t.Fatalf("queue not sorted by score: %v then %v", items[i-1].Score, items[i].Score)
		}
	}
	dups, n, err := e.svc.Duplicates(e.ctx, e.live.Matcher().Config().Probable, 0)
	if err != nil || n != len(dups) || n == 0 {
		t.Fatalf("duplicates: %d (%d), %v", len(dups), n, err)
	}
	found := false
	for _, d := range dups {
		if d.GoldenA == d.GoldenB || d.A == "s4" || d.B == "s4" {
			t.Fatalf("reported pair %s/%s (records %s/%s)", d.A, d.B, d.GoldenA, d.GoldenB)
		}
		if d.A == "s1" && d.B == "s2" {
			found = len(d.Result.Fields) > 0 && d.Score > 0.5
		}
	}
	if !found {
		t.Fatalf("s1/s2 missing or unexplained in %+v", dups)
	}
	for _, it := range items {
		obj, _ := fhir.Decode(it.Task.Body)
		if focusOf(obj) == "s2" {
			if _, err := e.svc.Reject(e.ctx, archivist, it.Task.ID, "personnes différentes"); err != nil {
				t.Fatal(err)
			}
		}
	}
	dups, _, _ = e.svc.Duplicates(e.ctx, e.live.Matcher().Config().Probable, 0)
	for _, d := range dups {
		if d.A == "s1" && d.B == "s2" {
			t.Fatal("a rejected pair stays in the duplicate report")
		}
	}
}
