package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"

	"dsn"
)

// Two processes (two stores on one schema) append at once: each keeps the
// tail in memory, so one's insert of a seq the other took fails, the batch
// (one round trip: BEGIN … COMMIT) is rolled back and retried after the new
// tail. One chain, every entry once.
func TestJournalTwoProcesses(t *testing.T) {
	ctx := context.Background()
	u := freshSchema(t)
	var stores []*Store
	for range 2 {
		s, err := Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	link := func(prev []byte, e *dsn.AuditEntry) {
		h := sha256.New()
		h.Write(prev)
		fmt.Fprint(h, e.Seq)
		h.Write(e.Body)
		e.Hash = h.Sum(nil)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				es := []dsn.AuditEntry{{Agent: "a", Action: "read", Body: fmt.Appendf(nil, `{"w":%d,"i":%d}`, w, i)},
					{Agent: "a", Action: "read", Body: fmt.Appendf(nil, `{"w":%d,"i":%d,"n":2}`, w, i)}}
				if err := stores[w%2].AppendAudit(ctx, es, link); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var prev []byte
	n := 0
	err := stores[0].ScanAudit(ctx, 1, func(e dsn.AuditEntry) error {
		n++
		c := e
		link(prev, &c)
		if e.Seq != int64(n) || !bytes.Equal(c.Hash, e.Hash) {
			return fmt.Errorf("entry %d (seq %d) does not follow the previous one", n, e.Seq)
		}
		prev = e.Hash
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4*40*2 {
		t.Fatalf("%d entries, want %d", n, 4*40*2)
	}
}
