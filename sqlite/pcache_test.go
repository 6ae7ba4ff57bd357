package sqlite

import (
	"context"
	"strconv"
	"testing"

	"dsn"
	"dsn/storetest"
)

// TestPageCacheRekey: creates with index rows make B-tree balances swap page numbers
// through the locking page (rekeyPage restores the cache's largest key each time),
// and no transaction's end then walks the whole page cache. Without rekeyPage's
// restore every commit after such a balance is a full walk.
func TestPageCacheRekey(t *testing.T) {
	if !installPageCacheRekey() {
		t.Fatal("the page cache's rekey is not installed (SQLite initialised before package sqlite's init?)")
	}
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws := storetest.SynthWrites(t, 20)
	restores, scans := pcacheRestores.Load(), pcacheFullScans.Load()
	for n := range 3000 {
		w := ws[n%len(ws)]
		w.ID += "-r" + strconv.Itoa(n)
		if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
			t.Fatal(err)
		}
	}
	if got := pcacheRestores.Load() - restores; got == 0 {
		t.Fatal("no balance parked a page on the locking page: the test no longer exercises rekeyPage")
	}
	if got := pcacheFullScans.Load() - scans; got != 0 {
		t.Errorf("%d transaction ends walked the whole page cache", got)
	}
	for i, w := range ws[:3] {
		id := w.ID + "-r" + strconv.Itoa(i)
		if _, err := s.Read(ctx, w.Type, id); err != nil {
			t.Errorf("read %s/%s: %v", w.Type, id, err)
		}
	}
}
