package sqlite

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"dsn"
	"dsn/audit"
)

// A failed fsync of the spool is final (decision 0007; spool.Sync): after it,
// even once the file could be synced again, every SyncAudit and AppendAudit
// fails, so that a fresh audit.Log refuses every request with 503. The fsync
// is made to fail for real: the spool's descriptor is pointed at a pipe for
// one SyncAudit (fsync(2) on a pipe is EINVAL), then at its file again.
func TestJournalFailedSpoolSyncIsFinal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AppendAudit(ctx, journalEntries(2, "a"), link); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncAudit(ctx); err != nil {
		t.Fatal(err)
	}

	fd := spoolFD(t, filepath.Join(dir, spoolName))
	saved, err := syscall.Dup(fd)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup3(int(w.Fd()), fd, syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	first := s.SyncAudit(ctx)
	if err := syscall.Dup3(saved, fd, syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	syscall.Close(saved)
	r.Close()
	w.Close()
	if first == nil || dsn.KindOf(first) != dsn.KindInternal {
		t.Fatalf("SyncAudit with a failing fsync: %v, want KindInternal", first)
	}

	if err := s.SyncAudit(ctx); err == nil || err.Error() != first.Error() {
		t.Fatalf("SyncAudit after a failed fsync: %v, want the failure again", err)
	}
	if err := s.AppendAudit(ctx, journalEntries(1, "b"), link); err == nil || dsn.KindOf(err) != dsn.KindInternal {
		t.Fatalf("AppendAudit after a failed fsync: %v, want KindInternal", err)
	}
	l := audit.Open(audit.Options{Journal: s, Logger: slog.New(slog.DiscardHandler)})
	defer l.Close()
	e := audit.Entry{Agent: "user:u1", Role: "physician", Action: "read", Patient: "p1"}
	if err := l.Record(ctx, e); err == nil || dsn.KindOf(err) != dsn.KindUnavailable {
		t.Fatalf("a request after a failed fsync: %v, want KindUnavailable (503)", err)
	}
}

// spoolFD finds this process's descriptor of the spool file at path.
func spoolFD(t *testing.T, path string) int {
	t.Helper()
	want, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	found := -1
	for _, d := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + d.Name()); err == nil && target == want {
			if found >= 0 {
				t.Fatalf("the spool is open twice (fds %d and %s)", found, d.Name())
			}
			if found, err = strconv.Atoi(d.Name()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if found < 0 {
		t.Fatalf("no descriptor of %s in /proc/self/fd", want)
	}
	return found
}
