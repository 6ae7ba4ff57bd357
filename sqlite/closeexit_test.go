package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"dsn"
	"dsn/storetest"
)

// CloseForExit leaves the writer's connection open but the database file
// complete: the WAL is emptied into dsn.db, which alone (copied without the
// -wal and -shm files) holds every resource written, and the store refuses
// further calls as after Close.
func TestCloseForExit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	ws := storetest.SynthWrites(t, 10)
	half := len(ws) / 2
	for _, part := range [][]dsn.Write{ws[:half], ws[half:]} {
		err := s.Write(dsn.WithBulkImport(ctx), func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(part) })
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CloseForExit(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, FileName+"-wal")); err != nil || fi.Size() != 0 {
		t.Fatalf("WAL after CloseForExit: %v, %v; want empty (checkpointed)", fi, err)
	}
	if err := s.Write(ctx, func(tx dsn.Tx) error { return nil }); err == nil {
		t.Error("Write after CloseForExit succeeded")
	}
	if err := s.CloseForExit(); err != nil {
		t.Errorf("second CloseForExit: %v", err)
	}

	// the database file alone, as a backup taken after the import would be
	copyDir := t.TempDir()
	body, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(copyDir, FileName), body, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, copyDir} {
		r, err := Open(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if _, err := r.Read(ctx, w.Type, w.ID); err != nil {
				t.Fatalf("%s: %s/%s: %v", d, w.Type, w.ID, err)
			}
		}
		if got := queryStrings(t, r, "PRAGMA integrity_check"); len(got) != 1 || got[0] != "ok" {
			t.Errorf("%s: integrity_check %v", d, got)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
