package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/sqlite"

	_ "modernc.org/sqlite"
)

func openLog(t testing.TB) (*sqlite.Store, *audit.Log, *access.Service, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := access.New(access.Options{Records: st})
	l := audit.Open(audit.Options{Journal: st, Records: st, Signer: svc, CheckpointEvery: time.Hour})
	t.Cleanup(func() { l.Close(); st.Close() })
	return st, l, svc, dir
}

// tamper runs SQL on the records' file from outside, as an attacker with
// file access would.
func tamper(t *testing.T, dir, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// tamperJournal rewrites the journal's blocks in audit.db from outside, as an
// attacker with file access would: edit may change an entry, and drops it by
// returning false. st's spool is moved into audit.db first.
func tamperJournal(t *testing.T, st *sqlite.Store, dir string, edit func(e *dsn.AuditEntry) bool) {
	t.Helper()
	if _, err := st.SearchAudit(context.Background(), dsn.AuditQuery{Count: 1}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.JournalFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT first, data FROM audit_block`)
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[int64][]byte{}
	for rows.Next() {
		var first int64
		var data []byte
		if err := rows.Scan(&first, &data); err != nil {
			t.Fatal(err)
		}
		blocks[first] = data
	}
	rows.Close()
	for first, data := range blocks {
		entries, err := sqlite.DecodeJournalBlock(data)
		if err != nil {
			t.Fatal(err)
		}
		var kept []dsn.AuditEntry
		for _, e := range entries {
			if edit(&e) {
				kept = append(kept, e)
			}
		}
		if _, err := db.Exec(`UPDATE audit_block SET data = ? WHERE first = ?`, sqlite.EncodeJournalBlock(kept), first); err != nil {
			t.Fatal(err)
		}
	}
}

func entry(i int) audit.Entry {
	return audit.Entry{Time: time.Date(2026, 5, 9, 3, 0, i, 0, time.UTC), Agent: "user:u1", Role: "physician",
		Action: "read", Patient: fmt.Sprintf("pat-%d", i%7), Resources: []string{fmt.Sprintf("Observation/o%d/_history/1", i)}}
}

func fill(t *testing.T, l *audit.Log, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if err := l.Record(context.Background(), entry(i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestVerifyIntactAndTampered(t *testing.T) {
	ctx := context.Background()
	st, l, svc, dir := openLog(t)
	fill(t, l, 200)
	if err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	fill(t, l, 50)
	rep, err := audit.Verify(ctx, st, st, svc)
	if err != nil || !rep.OK() || rep.Entries != 250 || rep.Checkpoints != 1 {
		t.Fatalf("intact journal: %+v, %v", rep, err)
	}
	got, _ := st.SearchAudit(ctx, dsnQuery("pat-3"))
	if len(got) == 0 {
		t.Fatal("no entry for pat-3")
	}

	// changing one entry's body is found at that entry
	tamperJournal(t, st, dir, func(e *dsn.AuditEntry) bool {
		if e.Seq == 120 {
			e.Body = bytes.ReplaceAll(e.Body, []byte("physician"), []byte("nurse"))
		}
		return true
	})
	rep, _ = audit.Verify(ctx, st, st, svc)
	if rep.Broken != 120 || !strings.Contains(rep.Problem, "altérée") || !strings.Contains(rep.ProblemEN, "entry 120 altered") {
		t.Fatalf("altered entry: %+v", rep)
	}
}

func TestVerifyFindsRemovalTruncationAndForgery(t *testing.T) {
	ctx := context.Background()
	st, l, svc, dir := openLog(t)
	fill(t, l, 30)
	if err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	tamperJournal(t, st, dir, func(e *dsn.AuditEntry) bool { return e.Seq < 29 }) // cut the tail
	rep, _ := audit.Verify(ctx, st, st, svc)
	if rep.Broken != 30 || !strings.Contains(rep.Problem, "tronqué") || !strings.Contains(rep.ProblemEN, "journal truncated") {
		t.Fatalf("truncated: %+v", rep)
	}
	tamperJournal(t, st, dir, func(e *dsn.AuditEntry) bool { return e.Seq != 7 })
	rep, _ = audit.Verify(ctx, st, st, svc)
	if rep.Broken != 7 || !strings.Contains(rep.Problem, "manquante") || !strings.Contains(rep.ProblemEN, "entry 7 missing") {
		t.Fatalf("removed: %+v", rep)
	}
	// a checkpoint whose signature does not match its content
	tamper(t, dir, `UPDATE access_record SET body = replace(body, '"seq":30', '"seq":3') WHERE kind = 'audit-checkpoint'`)
	tamper(t, dir, `UPDATE access_record SET id = '00000000000000000003' WHERE kind = 'audit-checkpoint'`)
	tamperJournal(t, st, dir, func(e *dsn.AuditEntry) bool { return e.Seq <= 5 })
	rep, _ = audit.Verify(ctx, st, st, svc)
	if rep.Broken != 3 || rep.OK() {
		t.Fatalf("forged checkpoint: %+v", rep)
	}
}

func TestRecordAfterReopenContinuesTheChain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for round := range 3 {
		st, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		l := audit.Open(audit.Options{Journal: st})
		for i := range 10 {
			if err := l.Record(ctx, entry(round*10+i)); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
		st.Close()
	}
	st, _ := sqlite.Open(ctx, dir)
	defer st.Close()
	rep, err := audit.Verify(ctx, st, st, nil)
	if err != nil || !rep.OK() || rep.Entries != 30 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// TestRecordReusesItsBuffersSafely: 8 requesters record, over and over, a
// read's one entry and a search's entries of several records (one stored
// entry naming each), alternately, through one Log — so that every append
// request's buffers (rowBufs, pooled with it since session 10) serve many
// requests of both shapes, a big body after a small one and back. Every
// stored entry must be exactly the one its request recorded (a buffer given
// back too early, or reused while the appender still wrote it, mixes them),
// and the chain must verify.
func TestRecordReusesItsBuffersSafely(t *testing.T) {
	st, l, svc, _ := openLog(t)
	ctx := context.Background()
	const workers, each = 8, 60
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				q := fmt.Sprintf("w=%d&i=%d", w, i)
				var es []audit.Entry
				n := 1
				if i%2 == 1 {
					n = 2 + (w+i)%9
				}
				for k := range n {
					e := entry(w*each + i)
					e.Query, e.Patient = q, fmt.Sprintf("pat-%d-%d-%d", w, i, k)
					e.Resources = []string{fmt.Sprintf("Observation/o-%d-%d-%d/_history/1", w, i, k)}
					if n > 1 {
						e.Action = "search"
					}
					es = append(es, e)
				}
				if err := l.Record(ctx, es...); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	err := st.ScanAudit(ctx, 1, func(a dsn.AuditEntry) error {
		e, err := audit.Decode(a)
		if err != nil {
			return err
		}
		var w, i int
		if _, err := fmt.Sscanf(e.Query, "w=%d&i=%d", &w, &i); err != nil {
			return fmt.Errorf("entry %d: query %q", a.Seq, e.Query)
		}
		parts := e.Split()
		want := 1
		if i%2 == 1 {
			want = 2 + (w+i)%9
		}
		if len(parts) != want {
			return fmt.Errorf("entry %d (%s): %d records, want %d", a.Seq, e.Query, len(parts), want)
		}
		for k, p := range parts {
			if p.Patient != fmt.Sprintf("pat-%d-%d-%d", w, i, k) || len(p.Resources) != 1 ||
				p.Resources[0] != fmt.Sprintf("Observation/o-%d-%d-%d/_history/1", w, i, k) {
				return fmt.Errorf("entry %d (%s): record %d is %s %v", a.Seq, e.Query, k, p.Patient, p.Resources)
			}
		}
		if seen[e.Query] {
			return fmt.Errorf("entry %d: %s twice", a.Seq, e.Query)
		}
		seen[e.Query] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != workers*each {
		t.Fatalf("%d requests journaled, want %d", len(seen), workers*each)
	}
	if _, err := audit.Verify(ctx, st, st, svc); err != nil {
		t.Fatal(err)
	}
}
