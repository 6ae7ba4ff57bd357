package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"

	"dsn"
)

// The dsn.Records and dsn.Journal contracts (migration 0004), run by the
// adapters that fulfil them beside dsn.Store.

func records(t *testing.T, s dsn.Store) (dsn.Records, dsn.Journal) {
	r, ok1 := s.(dsn.Records)
	j, ok2 := s.(dsn.Journal)
	if !ok1 || !ok2 {
		t.Fatalf("%T does not fulfil dsn.Records and dsn.Journal", s)
	}
	return r, j
}

func testRecords(t *testing.T, open Opener) {
	ctx := context.Background()
	rs, _ := records(t, open(t))
	put := func(kind, id, key, body string) {
		t.Helper()
		if err := rs.PutRecord(ctx, dsn.Record{Kind: kind, ID: id, Key: key, Body: []byte(body), Updated: at(1)}); err != nil {
			t.Fatal(err)
		}
	}
	put("user", "u2", "bob", `{"n":2}`)
	put("user", "u1", "alice", `{"n":1}`)
	put("user", "u3", "alice", `{"n":3}`)
	put("client", "u1", "x", `{}`)
	put("user", "u3", "carol", `{"n":33}`) // replace: new key and body
	got, err := rs.GetRecord(ctx, "user", "u3")
	if err != nil || got.Key != "carol" || string(got.Body) != `{"n":33}` || !got.Updated.Equal(at(1)) {
		t.Fatalf("GetRecord = %+v, %v", got, err)
	}
	if _, err := rs.GetRecord(ctx, "user", "nobody"); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("GetRecord missing: %v, want not-found", err)
	}
	found, err := rs.FindRecords(ctx, "user", "alice")
	if err != nil || len(found) != 1 || found[0].ID != "u1" {
		t.Fatalf("FindRecords alice = %+v, %v", found, err)
	}
	all, err := rs.ListRecords(ctx, "user")
	if err != nil || len(all) != 3 || all[0].ID != "u1" || all[2].ID != "u3" {
		t.Fatalf("ListRecords = %+v, %v", all, err)
	}
	// Take is one-time even when raced.
	var wins sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wins.Add(1)
		go func() {
			defer wins.Done()
			if r, err := rs.TakeRecord(ctx, "user", "u2"); err == nil && r.Key == "bob" {
				mu.Lock()
				taken++
				mu.Unlock()
			} else if dsn.KindOf(err) != dsn.KindNotFound {
				t.Errorf("TakeRecord: %v", err)
			}
		}()
	}
	wins.Wait()
	if taken != 1 {
		t.Fatalf("TakeRecord succeeded %d times, want 1", taken)
	}
	if err := rs.DeleteRecord(ctx, "user", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := rs.DeleteRecord(ctx, "user", "u1"); err != nil {
		t.Fatalf("deleting nothing: %v", err)
	}
	if all, _ := rs.ListRecords(ctx, "user"); len(all) != 1 {
		t.Fatalf("after take and delete: %+v", all)
	}
	if c, err := rs.GetRecord(ctx, "client", "u1"); err != nil || c.Key != "x" {
		t.Fatalf("kinds are separate: %+v, %v", c, err)
	}
}

// chain is the link function of the tests: SHA-256(prev || body).
func chain(prev []byte, e *dsn.AuditEntry) {
	h := sha256.New()
	h.Write(prev)
	h.Write(e.Body)
	e.Hash = h.Sum(nil)
}

func testJournal(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	_, j := records(t, s)
	// concurrent appenders: every entry once, one unbroken chain
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				es := []dsn.AuditEntry{
					{Time: at(i), Patient: fmt.Sprintf("p%d", w), Agent: "a", Action: "read", Body: []byte(fmt.Sprintf(`{"w":%d,"i":%d,"k":0}`, w, i))},
					{Time: at(i), Patient: "", Agent: fmt.Sprintf("agent%d", w), Action: "search", Body: []byte(fmt.Sprintf(`{"w":%d,"i":%d,"k":1}`, w, i))},
				}
				if err := j.AppendAudit(ctx, es, chain); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := j.SyncAudit(ctx); err != nil {
		t.Fatalf("SyncAudit: %v", err)
	}
	if n, err := checkChain(ctx, j); err != nil || n != 40 {
		t.Fatalf("scan: %v after %d entries, want 40", err, n)
	}
	stop := errors.New("stop")
	if err := j.ScanAudit(ctx, 39, func(dsn.AuditEntry) error { return stop }); err != stop {
		t.Fatalf("ScanAudit returns fn's error: %v", err)
	}
	got, err := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "p2"})
	if err != nil || len(got) != 5 || got[0].Seq < got[4].Seq || got[0].Patient != "p2" || !got[0].Time.Equal(at(4)) {
		t.Fatalf("SearchAudit patient = %d entries, %v", len(got), err)
	}
	got, _ = j.SearchAudit(ctx, dsn.AuditQuery{Agent: "agent1", Count: 2})
	if len(got) != 2 {
		t.Fatalf("SearchAudit agent count 2 = %d", len(got))
	}
	more, _ := j.SearchAudit(ctx, dsn.AuditQuery{Agent: "agent1", Before: got[1].Seq})
	if len(more) != 3 {
		t.Fatalf("SearchAudit next page = %d, want 3", len(more))
	}
	if got, _ := j.SearchAudit(ctx, dsn.AuditQuery{Action: "search", Agent: "agent3"}); len(got) != 5 {
		t.Fatalf("SearchAudit action = %d, want 5", len(got))
	}
	if got, _ := j.SearchAudit(ctx, dsn.AuditQuery{Since: at(4)}); len(got) != 8 {
		t.Fatalf("SearchAudit since = %d, want 8", len(got))
	}
	// one entry naming several records (a search's, decision 0023): found
	// under each, given back as the record asked for, not under a record whose
	// id another's begins with
	several := dsn.AuditEntry{Time: at(5), Patient: "p2 p9 p10", Agent: "agent9", Action: "search", Body: []byte(`{"several":1}`)}
	if err := j.AppendAudit(ctx, []dsn.AuditEntry{several}, chain); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"p9", "p10"} {
		if got, err := j.SearchAudit(ctx, dsn.AuditQuery{Patient: p}); err != nil || len(got) != 1 || got[0].Seq != 41 || got[0].Patient != p || string(got[0].Body) != `{"several":1}` {
			t.Fatalf("SearchAudit patient %s = %+v, %v; want the entry naming several", p, got, err)
		}
	}
	if got, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "p2"}); len(got) != 6 || got[0].Seq != 41 || got[0].Patient != "p2" || got[1].Patient != "p2" {
		t.Fatalf("SearchAudit patient p2 = %d entries, want its 5 and the one naming several first", len(got))
	}
	if got, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "p2", Count: 2}); len(got) != 2 || got[0].Seq != 41 {
		t.Fatalf("SearchAudit patient p2 count 2 = %d", len(got))
	} else if more, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "p2", Before: got[1].Seq}); len(more) != 4 {
		t.Fatalf("SearchAudit patient p2 next page = %d, want 4", len(more))
	}
	if got, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "p9", Agent: "agent1"}); len(got) != 0 {
		t.Fatalf("SearchAudit patient p9 agent1 = %d, want 0", len(got))
	}
	if got, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "p9", Action: "search", Since: at(5)}); len(got) != 1 {
		t.Fatalf("SearchAudit patient p9 search since = %d, want 1", len(got))
	}
	if got, _ := j.SearchAudit(ctx, dsn.AuditQuery{Patient: "p1"}); len(got) != 5 {
		t.Fatalf("SearchAudit patient p1 = %d, want its 5 only", len(got))
	}
	// durable: a new store on the same database sees the chain
	s.Close()
	_, j2 := records(t, open(t))
	if err := j2.AppendAudit(ctx, []dsn.AuditEntry{{Time: at(9), Action: "read", Body: []byte(`{}`)}}, chain); err != nil {
		t.Fatal(err)
	}
	last, _ := j2.SearchAudit(ctx, dsn.AuditQuery{Count: 1})
	if len(last) != 1 || last[0].Seq != 42 {
		t.Fatalf("after reopen, tail = %+v", last)
	}
	// two processes appending at once (dsn serve and dsn export): the chain
	// does not fork, whatever each one remembers of the tail
	_, j3 := records(t, open(t))
	for _, jj := range []dsn.Journal{j2, j3} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				e := []dsn.AuditEntry{{Time: at(i), Action: "read", Body: []byte(fmt.Sprintf(`{"i":%d}`, i))}}
				if err := jj.AppendAudit(ctx, e, chain); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n, err := checkChain(ctx, j2); err != nil || n != 62 {
		t.Fatalf("two appenders: %v after %d entries, want 62", err, n)
	}
}

// checkChain scans the whole journal: seq 1, 2, … and every hash chained to
// the previous one. It returns the number of entries.
func checkChain(ctx context.Context, j dsn.Journal) (int64, error) {
	var prev []byte
	n := int64(0)
	err := j.ScanAudit(ctx, 1, func(e dsn.AuditEntry) error {
		n++
		if e.Seq != n {
			return fmt.Errorf("seq %d, want %d", e.Seq, n)
		}
		want := dsn.AuditEntry{Body: e.Body}
		chain(prev, &want)
		if string(want.Hash) != string(e.Hash) {
			return fmt.Errorf("entry %d: chain broken", e.Seq)
		}
		prev = e.Hash
		return nil
	})
	return n, err
}
