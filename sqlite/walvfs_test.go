package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWALVFSCoalesces: the writer's WAL frames reach the file in one write per
// transaction, before COMMIT returns — another connection and a copy of the
// files taken right after the COMMIT (as after a crash) both see every row.
func TestWALVFSCoalesces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.db")
	w, err := sql.Open("sqlite", dataSource(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	if _, err := w.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	before := walWrites.Load()
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	row := strings.Repeat("x", 1000)
	const rows = 100 // ~27 pages: one buffer
	for i := range rows {
		if _, err := tx.Exec("INSERT INTO t VALUES (?, ?)", i, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	writes := walWrites.Load() - before
	var frames int
	if err := w.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(new(int), &frames, new(int)); err != nil {
		t.Fatal(err)
	}
	if frames < 20 || writes < 1 || writes > 2 {
		t.Fatalf("%d WAL frames in %d writes, want them in 1–2 (coalesced)", frames, writes)
	}
	t.Logf("%d WAL frames in %d writes", frames, writes)

	// a second transaction, then copy the files before any checkpoint
	if _, err := w.Exec("INSERT INTO t VALUES (?, ?)", rows, "last"); err != nil {
		t.Fatal(err)
	}
	copyDir := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyDir, "w.db"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{path, filepath.Join(copyDir, "w.db")} {
		r, err := sql.Open("sqlite", "file:"+p)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		var last string
		if err := r.QueryRow("SELECT count(*), (SELECT v FROM t WHERE k = ?) FROM t", rows).Scan(&n, &last); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if n != rows+1 || last != "last" {
			t.Fatalf("%s: %d rows, last %q; want %d, \"last\"", p, n, last, rows+1)
		}
	}
}
