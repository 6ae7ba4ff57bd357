package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dsn"
	"dsn/audit"
	"dsn/internal/spool"
)

// openSpooled opens a store whose journal spool is in dir (one machine's).
func openSpooled(t *testing.T, u, dir string) *Store {
	t.Helper()
	s, err := OpenWith(context.Background(), u, Options{SpoolDir: dir, AuditLink: audit.Link})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// crash ends s as a killed process would: the spool keeps what the mover
// had not moved.
func crash(t *testing.T, s *Store) {
	t.Helper()
	j := s.journal
	close(j.moverStop)
	<-j.moverDone
	j.spool.Close()
	s.journal = nil
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func auditRows(n int, who string) []dsn.AuditEntry {
	out := make([]dsn.AuditEntry, n)
	for i := range out {
		out[i] = dsn.AuditEntry{Time: time.Now(), Patient: "p1", Agent: who, Action: "read",
			Body: fmt.Appendf(nil, `{"agent":%q,"action":"read","n":%d}`, who, i)}
	}
	return out
}

// countRows counts audit_entry's rows, without moving the spool first.
func countRows(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.wconns[0].QueryRow(context.Background(), "SELECT count(*) FROM audit_entry").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func verify(t *testing.T, s *Store) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), s, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Entries still in the spool when DSN dies are in audit_entry as soon as
// the next process opens the store, chain unbroken; a record cut short by
// the crash is dropped (its caller was never answered); `dsn audit verify`
// passes, and still names an entry altered afterwards.
func TestJournalSpoolAfterCrash(t *testing.T) {
	ctx := context.Background()
	u, dir := freshSchema(t), t.TempDir()
	a := openSpooled(t, u, dir)
	if err := a.AppendAudit(ctx, auditRows(5, "moved"), audit.Link); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, a); !rep.OK() || rep.Entries != 5 { // a reader moves first
		t.Fatalf("before the crash: %+v", rep)
	}
	if err := a.AppendAudit(ctx, auditRows(7, "spooled"), audit.Link); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, a); n != 5 {
		t.Fatalf("audit_entry holds %d entries before the crash, want the 5 moved", n)
	}
	crash(t, a)
	files, _ := filepath.Glob(filepath.Join(dir, "*.spool"))
	if len(files) != 1 {
		t.Fatalf("spool files in %s: %v", dir, files)
	}
	torn := spool.AppendRecord(nil, &dsn.AuditEntry{Agent: "torn", Body: []byte(`{"cut":"short"}`)})
	f, err := os.OpenFile(files[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(torn[:len(torn)-3])
	f.Close()

	// a process that does not know how to link (no AuditLink, no append)
	// opens and closes the spool: it must leave the records where they are
	c, err := OpenWith(ctx, u, Options{SpoolDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	b := openSpooled(t, u, dir)
	defer b.Close()
	if n := countRows(t, b); n != 12 {
		t.Fatalf("after the restart audit_entry holds %d entries, want 12", n)
	}
	if err := b.AppendAudit(ctx, auditRows(1, "after"), audit.Link); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, b); !rep.OK() || rep.Entries != 13 {
		t.Fatalf("after the restart: %+v", rep)
	}
	last, err := b.SearchAudit(ctx, dsn.AuditQuery{Count: 1})
	if err != nil || len(last) != 1 || last[0].Agent != "after" || last[0].Seq != 13 {
		t.Fatalf("newest entry %+v (%v), want the one appended after the restart at seq 13", last, err)
	}
	if _, err := b.wconns[0].Exec(ctx, `UPDATE audit_entry SET body = '{"agent":"moved","action":"read","n":99}' WHERE seq = 4`); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, b); rep.OK() || rep.Broken != 4 {
		t.Fatalf("altered entry 4 not named: %+v", rep)
	}
}

// Two servers on different machines (a spool each) and a CLI beside the
// first (sharing its spool) append at once while readers move: one chain, seq
// 1…n, every entry once.
func TestJournalSpoolTwoMachines(t *testing.T) {
	ctx := context.Background()
	u := freshSchema(t)
	dir1, dir2 := t.TempDir(), t.TempDir()
	stores := []*Store{openSpooled(t, u, dir1), openSpooled(t, u, dir2), openSpooled(t, u, dir1)}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%3]
			for i := range 40 {
				if err := s.AppendAudit(ctx, auditRows(2, fmt.Sprintf("w%d-%d", w, i)), audit.Link); err != nil {
					t.Error(err)
					return
				}
				if i%10 == 0 { // a reader moves its machine's spool
					if _, err := s.SearchAudit(ctx, dsn.AuditQuery{Count: 1}); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, s := range stores[1:] {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	defer stores[0].Close()
	seen := map[string]bool{}
	err := stores[0].ScanAudit(ctx, 1, func(e dsn.AuditEntry) error {
		if seen[string(e.Body)] {
			return fmt.Errorf("entry %d is a copy of an earlier one", e.Seq)
		}
		seen[string(e.Body)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, stores[0]); !rep.OK() || rep.Entries != 6*40*2 || len(seen) != 6*40*2 {
		t.Fatalf("%+v, %d distinct entries; want %d", rep, len(seen), 6*40*2)
	}
}

// A strict entry (a write, a refusal…) is in the spool, fsynced, before
// audit.Log.Record returns: a crash right after the answer loses nothing.
func TestJournalSpoolStrictBeforeAnswer(t *testing.T) {
	ctx := context.Background()
	u, dir := freshSchema(t), t.TempDir()
	a := openSpooled(t, u, dir)
	var calls []string
	var mu sync.Mutex
	log := audit.Open(audit.Options{Journal: observed{a, &mu, &calls}})
	err := log.Record(ctx, audit.Entry{Time: time.Now(), Agent: "user:u1", Action: "create", Patient: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := fmt.Sprint(calls)
	mu.Unlock()
	if got != "[append sync]" {
		t.Fatalf("journal calls before the answer: %s, want the append then its sync", got)
	}
	crash(t, a) // the log is never closed: the process died
	b := openSpooled(t, u, dir)
	defer b.Close()
	es, err := b.SearchAudit(ctx, dsn.AuditQuery{Patient: "p1"})
	if err != nil || len(es) != 1 || es[0].Action != "create" {
		t.Fatalf("after the crash: %+v (%v), want the create", es, err)
	}
}

// observed records the journal calls audit.Log makes.
type observed struct {
	*Store
	mu    *sync.Mutex
	calls *[]string
}

func (o observed) AppendAudit(ctx context.Context, es []dsn.AuditEntry, link func([]byte, *dsn.AuditEntry)) error {
	o.mu.Lock()
	*o.calls = append(*o.calls, "append")
	o.mu.Unlock()
	return o.Store.AppendAudit(ctx, es, link)
}

func (o observed) SyncAudit(ctx context.Context) error {
	err := o.Store.SyncAudit(ctx)
	o.mu.Lock()
	*o.calls = append(*o.calls, "sync")
	o.mu.Unlock()
	return err
}

// Two processes (two stores on one schema, one spool) append at once: one
// chain, every entry once.
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

// An entry whose agent or patient PostgreSQL's text refuses (NUL, invalid
// UTF-8: a refused sign-in journals what the caller typed) is stored with
// those characters replaced; it does not stop the mover and the entries
// after it.
func TestJournalSpoolUnstorableText(t *testing.T) {
	ctx := context.Background()
	s := openSpooled(t, freshSchema(t), t.TempDir())
	defer s.Close()
	bad := auditRows(1, "x")
	bad[0].Agent, bad[0].Patient = "user:a\x00b", "p\xff"
	if err := s.AppendAudit(ctx, bad, audit.Link); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, auditRows(2, "after"), audit.Link); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, s); !rep.OK() || rep.Entries != 3 {
		t.Fatalf("%+v, want 3 entries verified", rep)
	}
	es, err := s.SearchAudit(ctx, dsn.AuditQuery{Agent: "user:a\uFFFDb"})
	if err != nil || len(es) != 1 || es[0].Patient != "p\uFFFD" {
		t.Fatalf("%+v (%v), want the entry under its cleaned agent and patient", es, err)
	}
}
