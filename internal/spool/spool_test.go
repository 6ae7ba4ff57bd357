package spool

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dsn"
)

// table is a journal database in memory: what Move inserted, in order.
type table struct{ rows []dsn.AuditEntry }

func (tb *table) insert(_ context.Context, _, _, to int64, batch []dsn.AuditEntry) (int64, error) {
	for _, e := range batch {
		// batch's bytes are the mover's chunk, reused after the call (Insert)
		e.Body, e.Hash = bytes.Clone(e.Body), bytes.Clone(e.Hash)
		tb.rows = append(tb.rows, e)
	}
	return to, nil
}

func (tb *table) tail() (int64, []byte, error) {
	if len(tb.rows) == 0 {
		return 0, nil, nil
	}
	last := tb.rows[len(tb.rows)-1]
	return last.Seq, last.Hash, nil
}

func link(prev []byte, e *dsn.AuditEntry) {
	e.Hash = append(bytes.Clone(prev[:min(len(prev), 8)]), byte(e.Seq))
}

func entries(n int, who string) []dsn.AuditEntry {
	out := make([]dsn.AuditEntry, n)
	for i := range out {
		out[i] = dsn.AuditEntry{Time: time.UnixMicro(1_700_000_000_000_000 + int64(i)).UTC(), Patient: "p1",
			Agent: who, Action: "read", Body: fmt.Appendf(nil, `{"n":%d,"who":%q}`, i, who)}
	}
	return out
}

func noFlush() error { return nil }

// Records written by two handles on one file (two processes) form one chain
// numbered 1…n, and come back from Move whole, field for field.
func TestAppendAndMove(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.spool")
	a, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var tb table
	want := 0
	for i, sp := range []*Spool{a, b, a, a, b} {
		es := entries(i+1, fmt.Sprint(i))
		if err := sp.Append(es, link, tb.tail); err != nil {
			t.Fatal(err)
		}
		want += len(es)
		b.Release() // let the other handle take the flock
		a.Release()
	}
	if err := a.Move(ctx, false, tb.insert, noFlush); err != nil {
		t.Fatal(err)
	}
	if len(tb.rows) != want {
		t.Fatalf("moved %d entries, want %d", len(tb.rows), want)
	}
	var prev []byte
	for i, e := range tb.rows {
		c := e
		link(prev, &c)
		if e.Seq != int64(i+1) || !bytes.Equal(c.Hash, e.Hash) {
			t.Fatalf("entry %d: seq %d, hash %x does not follow the previous one", i, e.Seq, e.Hash)
		}
		prev = e.Hash
	}
	if e := tb.rows[0]; e.Patient != "p1" || e.Agent != "0" || e.Action != "read" ||
		!e.Time.Equal(time.UnixMicro(1_700_000_000_000_000)) || string(e.Body) != `{"n":0,"who":"0"}` {
		t.Fatalf("first entry came back as %+v", e)
	}
}

// A record cut short by a crash is never moved, and the next appender cuts
// it off before writing: its entries follow the last whole record.
func TestTornRecordIsCut(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.spool")
	sp, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	var tb table
	if err := sp.Append(entries(3, "before"), link, tb.tail); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	torn := AppendRecord(nil, &dsn.AuditEntry{Seq: 4, Body: []byte("cut short")})
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(torn[:len(torn)-3])
	f.Close()

	next, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if err := next.Move(ctx, false, tb.insert, noFlush); err != nil {
		t.Fatal(err)
	}
	if len(tb.rows) != 3 {
		t.Fatalf("moved %d entries, want the 3 whole ones", len(tb.rows))
	}
	if err := next.Append(entries(2, "after"), link, tb.tail); err != nil {
		t.Fatal(err)
	}
	if err := next.Move(ctx, true, tb.insert, noFlush); err != nil {
		t.Fatal(err)
	}
	if len(tb.rows) != 5 || tb.rows[3].Seq != 4 || tb.rows[3].Agent != "after" {
		t.Fatalf("after the cut: %d entries, the 4th %+v", len(tb.rows), tb.rows[min(3, len(tb.rows)-1)])
	}
	if size, _ := next.Size(); size != Header {
		t.Fatalf("emptied spool is %d bytes, want its header", size)
	}
}

// Without link, entries are written as given (no seq, no hash: the mover
// numbers them), and Move goes on from the offset Insert returns: where the
// database says another process's moves reached.
func TestUnlinkedAndInsertOffset(t *testing.T) {
	ctx := context.Background()
	sp, err := Open(filepath.Join(t.TempDir(), "audit.spool"), 42)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	for range 3 {
		if err := sp.Append(entries(1, "x"), nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	recLen := int64(len(AppendRecord(nil, &entries(1, "x")[0])))
	var got []dsn.AuditEntry
	calls := 0
	insert := func(_ context.Context, gen, from, to int64, batch []dsn.AuditEntry) (int64, error) {
		calls++
		if gen != 42 {
			t.Fatalf("generation %d, want 42", gen)
		}
		if calls == 1 {
			return Header + 2*recLen, nil // another process moved the first two
		}
		got = append(got, batch...)
		return to, nil
	}
	if err := sp.Move(ctx, false, insert, noFlush); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Seq != 0 || got[0].Hash != nil {
		t.Fatalf("second insert got %d entries (%+v), want the third, unnumbered", len(got), got)
	}
	if off := sp.MoveOffset(); off != Header+3*recLen {
		t.Fatalf("mover at %d, want %d", off, Header+3*recLen)
	}
}

// A spool closed by its last user, empty, is removed; while another handle
// (process) holds it open, or while it holds records, it stays.
func TestCloseAndRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.spool")
	a, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CloseAndRemove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("removed while another handle holds it open: %v", err)
	}
	if err := b.Append(entries(1, "b"), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.CloseAndRemove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("removed with a record in it: %v", err)
	}
	c, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	var tb table
	if err := c.Move(context.Background(), true, tb.insert, noFlush); err != nil || len(tb.rows) != 1 {
		t.Fatalf("moved %d entries (%v), want b's", len(tb.rows), err)
	}
	if err := c.CloseAndRemove(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".wait"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s left behind by its last user, empty (%v)", p, err)
		}
	}
	d, err := Open(path, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Append(entries(1, "d"), nil, nil); err != nil {
		t.Fatal(err)
	}
}

// A failed fsync is final: later Syncs and Appends fail with it, even if the
// file could be written again.
func TestFailedSyncIsFinal(t *testing.T) {
	sp, err := Open(filepath.Join(t.TempDir(), "audit.spool"), 1)
	if err != nil {
		t.Fatal(err)
	}
	f := sp.f
	sp.f = nil // a Sync that fails
	first := sp.Sync()
	sp.f = f
	defer sp.Close()
	if first == nil {
		t.Fatal("Sync on no file succeeded")
	}
	if err := sp.Sync(); err == nil || err.Error() != first.Error() {
		t.Fatalf("second Sync: %v, want the first failure %v", err, first)
	}
	if err := sp.Append(entries(1, "x"), nil, nil); err == nil || err.Error() != first.Error() {
		t.Fatalf("Append after a failed Sync: %v, want the first failure", err)
	}
}

// Move with empty never drops records Insert did not take (PostgreSQL's,
// before it knows how to link them); a torn record alone does not keep the
// spool from being emptied.
func TestEmptyKeepsWhatWasNotMoved(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.spool")
	sp, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if err := sp.Append(entries(3, "x"), nil, nil); err != nil {
		t.Fatal(err)
	}
	refuse := func(_ context.Context, _, from, _ int64, _ []dsn.AuditEntry) (int64, error) { return from, nil }
	if err := sp.Move(ctx, true, refuse, noFlush); err != nil {
		t.Fatal(err)
	}
	var tb table
	if err := sp.Move(ctx, true, tb.insert, noFlush); err != nil || len(tb.rows) != 3 {
		t.Fatalf("after a refused move: %d entries moved (%v), want the 3 kept", len(tb.rows), err)
	}
	if size, _ := sp.Size(); size != Header {
		t.Fatalf("spool of %d bytes once all moved, want it emptied", size)
	}
	torn := AppendRecord(nil, &dsn.AuditEntry{Body: []byte("cut short")})
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(torn[:len(torn)-3])
	f.Close()
	if err := sp.Move(ctx, true, tb.insert, noFlush); err != nil {
		t.Fatal(err)
	}
	if size, _ := sp.Size(); size != Header || len(tb.rows) != 3 {
		t.Fatalf("spool of %d bytes, %d entries moved: a torn record alone should be dropped", size, len(tb.rows))
	}
}

// Mover moves only when something was appended, and returns when stopped.
func TestMoverMovesWhatWasAppended(t *testing.T) {
	sp, err := Open(filepath.Join(t.TempDir(), "audit.spool"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	stop, pending, moved, done := make(chan struct{}), make(chan struct{}, 1), make(chan struct{}, 10), make(chan struct{})
	go func() {
		sp.Mover(stop, pending, time.Millisecond, 2*time.Millisecond, func() { moved <- struct{}{} })
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	if len(moved) != 0 {
		t.Fatal("the mover moved with nothing appended")
	}
	pending <- struct{}{}
	select {
	case <-moved:
	case <-time.After(10 * time.Second):
		t.Fatal("no move after an append")
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the mover did not stop")
	}
	if len(moved) != 0 {
		t.Fatal("one append, several moves")
	}
}

// The mover reuses its chunk's buffer: entries spanning several chunks, of
// several agents and patients (decodeRecord reuses the previous entry's
// strings), come back whole, field for field, each chunk's bytes unchanged
// by the next one's.
func TestMoveChunksComeBackWhole(t *testing.T) {
	ctx := context.Background()
	sp, err := Open(filepath.Join(t.TempDir(), "audit.spool"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var tb table
	es := entries(3000, "x")
	for i := range es {
		es[i].Patient, es[i].Agent = fmt.Sprint("p", i/3), fmt.Sprint("a", i%2)
		es[i].Body = fmt.Appendf(nil, `{"n":%d,"pad":%q}`, i, bytes.Repeat([]byte{byte('a' + i%26)}, 700+i%300))
	}
	for i := 0; i < len(es); i += 100 {
		if err := sp.Append(es[i:i+100], link, tb.tail); err != nil {
			t.Fatal(err)
		}
	}
	if size, _ := sp.Size(); size < 2*ChunkBytes || size >= EmptyAt {
		t.Fatalf("spool of %d bytes: the test wants more than two chunks and no emptying", size)
	}
	if err := sp.Move(ctx, false, tb.insert, noFlush); err != nil {
		t.Fatal(err)
	}
	if len(tb.rows) != len(es) {
		t.Fatalf("moved %d entries, want %d", len(tb.rows), len(es))
	}
	var prev []byte
	for i, e := range tb.rows {
		w := es[i]
		w.Seq = int64(i + 1)
		link(prev, &w)
		if e.Seq != w.Seq || e.Patient != w.Patient || e.Agent != w.Agent || e.Action != w.Action ||
			!e.Time.Equal(w.Time) || !bytes.Equal(e.Body, w.Body) || !bytes.Equal(e.Hash, w.Hash) {
			t.Fatalf("entry %d came back as %+v, want %+v", i, e, w)
		}
		prev = w.Hash
	}
}
