package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dsn"
	"dsn/internal/spool"
)

// link chains like audit.Link (that package imports this one's tests' store).
func link(prev []byte, e *dsn.AuditEntry) {
	h := sha256.New()
	h.Write(prev)
	fmt.Fprint(h, e.Seq)
	h.Write(e.Body)
	e.Hash = h.Sum(nil)
}

func journalEntries(n int, who string) []dsn.AuditEntry {
	out := make([]dsn.AuditEntry, n)
	for i := range out {
		out[i] = dsn.AuditEntry{Time: time.UnixMicro(1_700_000_000_000_000 + int64(i)), Patient: "p1",
			Agent: who, Action: "read", Body: fmt.Appendf(nil, `{"n":%d,"who":%q}`, i, who)}
	}
	return out
}

// checkChain reads the whole journal and checks seq 1..want without a gap and
// every hash linked to the previous one.
func checkChain(t *testing.T, s *Store, want int) {
	t.Helper()
	var prev []byte
	n := 0
	err := s.ScanAudit(context.Background(), 1, func(e dsn.AuditEntry) error {
		n++
		if e.Seq != int64(n) {
			return fmt.Errorf("entry %d has seq %d", n, e.Seq)
		}
		c := e
		link(prev, &c)
		if !bytes.Equal(c.Hash, e.Hash) {
			return fmt.Errorf("entry %d: hash does not follow the previous one", e.Seq)
		}
		prev = e.Hash
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("journal holds %d entries, want %d", n, want)
	}
}

// copyDir snapshots a data directory as a crash would leave it.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}

// Entries still in the spool when the process dies are in the journal when
// the store opens again, chain unbroken; a record cut short by the crash is
// dropped and the next append follows the last whole one.
func TestJournalSpoolAfterCrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AppendAudit(ctx, journalEntries(5, "moved"), link); err != nil {
		t.Fatal(err)
	}
	checkChain(t, s, 5) // a reader moves them into audit.db first
	close(s.journal.moverStop)
	<-s.journal.moverDone
	s.journal.moverStop = nil // Close must not stop it twice
	if err := s.AppendAudit(ctx, journalEntries(7, "spooled"), link); err != nil {
		t.Fatal(err)
	}
	var inDB int
	s.journal.rdb.QueryRow("SELECT coalesce(max(last), 0) FROM audit_block").Scan(&inDB)
	if inDB != 5 {
		t.Fatalf("audit.db holds %d entries before the crash, want the 5 moved", inDB)
	}

	crashed := t.TempDir()
	copyDir(t, dir, crashed)
	torn := spool.AppendRecord(nil, &dsn.AuditEntry{Seq: 13, Body: []byte("cut short")})
	f, err := os.OpenFile(filepath.Join(crashed, spoolName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(torn[:len(torn)-3])
	f.Close()

	r, err := Open(ctx, crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkChain(t, r, 12)
	if err := r.AppendAudit(ctx, journalEntries(1, "after"), link); err != nil {
		t.Fatal(err)
	}
	checkChain(t, r, 13)
}

// Two stores on one directory (two processes: the server and dsn token) append
// at once: one chain, no seq twice, no gap.
func TestJournalSpoolTwoAppenders(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, s := range []*Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if err := s.AppendAudit(ctx, journalEntries(3, fmt.Sprint(i)), link); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := b.Close(); err != nil { // b empties the spool into audit.db as it closes
		t.Fatal(err)
	}
	checkChain(t, a, 4*50*3)
	if err := a.AppendAudit(ctx, journalEntries(2, "a"), link); err != nil {
		t.Fatal(err)
	}
	checkChain(t, a, 4*50*3+2)
}

// Past spool.EmptyAt the mover empties the spool (every record in audit.db
// first): it does not grow without bound under a steady load.
func TestJournalSpoolIsEmptied(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	big := journalEntries(1, "x")
	big[0].Body = bytes.Repeat([]byte("a"), spool.EmptyAt/4)
	for range 5 {
		if err := s.AppendAudit(ctx, []dsn.AuditEntry{big[0]}, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.journal.move(ctx, false); err != nil {
		t.Fatal(err)
	}
	size, err := s.journal.spool.Size()
	if err != nil {
		t.Fatal(err)
	}
	if size != spool.Header {
		t.Fatalf("spool is %d bytes after a move past %d, want only its header", size, spool.EmptyAt)
	}
	checkChain(t, s, 5)
}

// The server keeps the spool's flock between its appends (keep) and lets it
// go when another process waits (audit.spool.wait) or at the mover's next
// tick: another process (dsn token) appending while the server appends
// without pause gets its turn, and the chain stays whole.
func TestJournalSpoolOtherProcessGetsItsTurn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	server, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	stop := make(chan struct{})
	busy := make(chan int)
	go func() {
		n := 0
		defer func() { busy <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := server.AppendAudit(ctx, journalEntries(1, "server"), link); err != nil {
				t.Error(err)
				return
			}
			n++
		}
	}()
	cli, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := cli.AppendAudit(ctx, journalEntries(2, "cli"), link); err != nil {
			t.Fatal(err)
		}
	}
	if err := cli.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	n := <-busy
	if n == 0 {
		t.Fatal("the server appended nothing")
	}
	checkChain(t, server, n+3*2)
}

// Alone on the spool, an appender keeps the flock and trusts what it left:
// its appends do not re-read the header and the size each time.
func TestJournalSpoolKeepsTheLockWhenAlone(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 50 {
		if err := s.AppendAudit(ctx, journalEntries(1, "x"), link); err != nil {
			t.Fatal(err)
		}
	}
	reads := s.journal.spool.StateReads()
	if reads >= 50 {
		t.Fatalf("%d header reads for 50 appends: the flock was not kept", reads)
	}
	checkChain(t, s, 50)
}

// The mover reads the spool in chunks of spool.ChunkBytes: entries spanning
// several chunks, with a record cut by each chunk's end, all reach audit.db in
// order, and the mover's offset ends at the spool's end.
func TestJournalSpoolMovesInChunks(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries := journalEntries(3000, "chunks")
	for i := range entries {
		entries[i].Body = fmt.Appendf(nil, `{"n":%d,"pad":%q}`, i, bytes.Repeat([]byte("b"), 700+i%300))
	}
	for i := 0; i < len(entries); i += 100 {
		if err := s.AppendAudit(ctx, entries[i:i+100], link); err != nil {
			t.Fatal(err)
		}
	}
	size, err := s.journal.spool.Size()
	if err != nil {
		t.Fatal(err)
	}
	if size < 2*spool.ChunkBytes || size >= spool.EmptyAt {
		t.Fatalf("spool of %d bytes: the test wants more than two chunks and no emptying", size)
	}
	if err := s.journal.move(ctx, false); err != nil {
		t.Fatal(err)
	}
	if off := s.journal.spool.MoveOffset(); off != size {
		t.Fatalf("mover stopped at %d of %d bytes", off, size)
	}
	checkChain(t, s, len(entries))
}
