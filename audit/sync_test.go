package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
	"dsn/audit"
	"dsn/sqlite"
)

// heldSync is the real SQLite journal whose SyncAudit waits until the test
// lets it go (or fails when told to), so that the tests can see which
// requests wait for the fsync and which do not.
type heldSync struct {
	dsn.Journal
	release chan struct{}
	fail    atomic.Bool
	syncs   atomic.Int64
}

func (h *heldSync) SyncAudit(ctx context.Context) error {
	<-h.release
	h.syncs.Add(1)
	if h.fail.Load() {
		return dsn.Wrap("sqlite.SyncAudit", dsn.KindInternal, errors.New("disque plein")) // as a store fails
	}
	return h.Journal.SyncAudit(ctx)
}

func openHeld(t *testing.T, mode audit.SyncMode) (*heldSync, *audit.Log, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := &heldSync{Journal: st, release: make(chan struct{})}
	l := audit.Open(audit.Options{Journal: h, Sync: mode})
	t.Cleanup(func() {
		close(h.release)
		l.Close()
		st.Close()
	})
	return h, l, st
}

// record runs l.Record in a goroutine and returns its result channel.
func record(l *audit.Log, e audit.Entry) chan error {
	done := make(chan error, 1)
	go func() { done <- l.Record(context.Background(), e) }()
	return done
}

func TestGroupedReadAnswersBeforeTheSyncStrictEntriesWait(t *testing.T) {
	h, l, st := openHeld(t, audit.SyncGrouped)
	// a read returns while no sync has completed: it waited for the write only
	if err := <-record(l, entry(1)); err != nil {
		t.Fatal(err)
	}
	if h.syncs.Load() != 0 {
		t.Fatal("the read waited for a sync")
	}
	if got, _ := st.SearchAudit(context.Background(), dsn.AuditQuery{Count: 10}); len(got) != 1 {
		t.Fatalf("the read's entry is not written before the answer: %d entries", len(got))
	}
	// a write, a refusal and a break-the-glass wait for the sync
	var pending []chan error
	for _, action := range []string{"write", "denied", "break-glass", "export"} {
		e := entry(2)
		e.Action = action
		pending = append(pending, record(l, e))
	}
	time.Sleep(50 * time.Millisecond) // > MaxSyncDelay: they would have returned by now
	for _, p := range pending {
		select {
		case err := <-p:
			t.Fatalf("a strict entry returned before its sync: %v", err)
		default:
		}
	}
	// let the syncs run (the one under way for the read may or may not
	// cover them; the next one does) until every strict entry is answered
	for _, p := range pending {
		for answered := false; !answered; {
			select {
			case err := <-p:
				if err != nil {
					t.Fatal(err)
				}
				answered = true
			case h.release <- struct{}{}:
			}
		}
	}
}

func TestStrictModeMakesReadsWaitForTheSync(t *testing.T) {
	h, l, _ := openHeld(t, audit.SyncStrict)
	p := record(l, entry(1))
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-p:
		t.Fatalf("a read returned before its sync in strict mode: %v", err)
	default:
	}
	h.release <- struct{}{}
	if err := <-p; err != nil {
		t.Fatal(err)
	}
}

func TestGroupedEntriesAreSyncedInTheBackground(t *testing.T) {
	h, l, _ := openHeld(t, audit.SyncGrouped)
	if err := l.Record(context.Background(), entry(1)); err != nil {
		t.Fatal(err)
	}
	// the syncer starts one sync within MaxSyncDelay without anyone asking
	select {
	case h.release <- struct{}{}:
	case <-time.After(10 * time.Second):
		t.Fatal("no background sync of a grouped entry")
	}
}

func TestFailedSyncRefusesEveryLaterEntry(t *testing.T) {
	h, l, _ := openHeld(t, audit.SyncGrouped)
	h.fail.Store(true)
	e := entry(1)
	e.Action = "write"
	p := record(l, e)
	h.release <- struct{}{}
	if err := <-p; dsn.KindOf(err) != dsn.KindUnavailable {
		t.Fatalf("strict entry after a failed sync: %v, want unavailable", err)
	}
	if err := l.Record(context.Background(), entry(2)); dsn.KindOf(err) != dsn.KindUnavailable {
		t.Fatalf("read after a failed sync: %v, want unavailable", err)
	}
}

func TestParseSyncMode(t *testing.T) {
	for in, want := range map[string]audit.SyncMode{"": audit.SyncGrouped, "grouped": audit.SyncGrouped, "strict": audit.SyncStrict} {
		if got, err := audit.ParseSyncMode(in); err != nil || got != want {
			t.Errorf("ParseSyncMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := audit.ParseSyncMode("lazy"); dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("ParseSyncMode(lazy) = %v, want invalid", err)
	}
}

// An earlier version kept the journal in the records' file (migration 0004):
// opening the store copies it into the journal's own file, and verification
// and new entries continue the same chain.
func TestJournalOfTheRecordsFileIsAdopted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, sqlite.JournalFileName+suffix))
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var prev []byte
	for i := 1; i <= 5; i++ {
		e := entry(i)
		body, _ := json.Marshal(e)
		a := dsn.AuditEntry{Seq: int64(i), Body: body}
		audit.Link(prev, &a)
		prev = a.Hash
		_, err := db.Exec(`INSERT INTO audit_entry (seq, time, patient, agent, action, body, hash) VALUES (?, 0, ?, ?, ?, ?, ?)`,
			a.Seq, e.Patient, e.Agent, e.Action, string(body), a.Hash)
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := audit.Open(audit.Options{Journal: st})
	if err := l.Record(ctx, entry(6)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	rep, err := audit.Verify(ctx, st, st, nil)
	if err != nil || !rep.OK() || rep.Entries != 6 {
		t.Fatalf("after adoption: %+v, %v", rep, err)
	}
}
