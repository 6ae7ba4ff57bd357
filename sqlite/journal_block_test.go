package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"dsn"
)

// want is SearchAudit's answer computed over every entry: the reference the
// blocks and audit_key must agree with.
func want(all []dsn.AuditEntry, q dsn.AuditQuery) []int64 {
	var out []int64
	for i := len(all) - 1; i >= 0 && len(out) < q.Count; i-- {
		e := &all[i]
		if (q.Before == 0 || e.Seq < q.Before) && auditMatch(e, &q) {
			out = append(out, e.Seq)
		}
	}
	return out
}

// SearchAudit over many blocks and many audit_key rows (several moves,
// entries spanning block boundaries, times not in seq order) answers as a
// scan of every entry would, for each kind of query and page; ScanAudit
// from any seq gives every entry from there on.
func TestJournalSearchAcrossBlocks(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(7, 9))
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	actions := []string{"read", "read", "read", "search", "write", "denied", "break-glass"}
	var all []dsn.AuditEntry
	for move := range 6 {
		for range 40 {
			batch := make([]dsn.AuditEntry, 1+rng.IntN(8))
			for k := range batch {
				n := len(all) + k
				// mostly increasing, a few late by up to 3 s (a slow request)
				at := t0.Add(time.Duration(n)*100*time.Millisecond - time.Duration(rng.IntN(4))*time.Second*time.Duration(rng.IntN(2)))
				p := ""
				if rng.IntN(10) > 0 {
					p = fmt.Sprintf("pat-%d", rng.IntN(9))
				}
				batch[k] = dsn.AuditEntry{Time: at, Patient: p, Agent: fmt.Sprintf("user:u%d", rng.IntN(4)),
					Action: actions[rng.IntN(len(actions))], Body: fmt.Appendf(nil, `{"n":%d,"pad":%q}`, n, bytes.Repeat([]byte("x"), rng.IntN(900)))}
			}
			if err := s.AppendAudit(ctx, batch, link); err != nil {
				t.Fatal(err)
			}
			all = append(all, batch...)
		}
		if err := s.journal.move(ctx, move%2 == 1); err != nil {
			t.Fatal(err)
		}
	}
	// the stored seqs and hashes, for the reference
	i := 0
	if err := s.ScanAudit(ctx, 1, func(e dsn.AuditEntry) error {
		all[i].Seq, all[i].Hash = e.Seq, bytes.Clone(e.Hash)
		i++
		return nil
	}); err != nil || i != len(all) {
		t.Fatalf("scan: %d of %d entries, %v", i, len(all), err)
	}
	var blocks int
	s.journal.rdb.QueryRow(`SELECT count(*) FROM audit_block`).Scan(&blocks)
	if blocks < 6 {
		t.Fatalf("%d blocks: the test wants several", blocks)
	}
	mid := all[len(all)/2]
	queries := []dsn.AuditQuery{
		{}, {Count: 7}, {Patient: "pat-3"}, {Patient: "pat-3", Count: 1000}, {Patient: "pat-3", Before: mid.Seq, Count: 15},
		{Agent: "user:u1", Count: 1000}, {Agent: "user:u2", Action: "read", Count: 30}, {Action: "break-glass", Count: 1000},
		{Action: "denied", Patient: "pat-1", Count: 1000}, {Since: mid.Time, Count: 1000}, {Since: mid.Time, Patient: "pat-5", Count: 1000},
		{Since: mid.Time, Action: "write", Count: 1000}, {Before: mid.Seq, Count: 40}, {Patient: "nobody"}, {Since: t0.Add(time.Hour)},
	}
	for _, q := range queries {
		got, err := s.SearchAudit(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		for _, e := range got {
			seqs = append(seqs, e.Seq)
			if ref := all[e.Seq-1]; !bytes.Equal(e.Body, ref.Body) || !bytes.Equal(e.Hash, ref.Hash) || e.Patient != ref.Patient || !e.Time.Equal(ref.Time) {
				t.Fatalf("%+v: entry %d differs from what was appended", q, e.Seq)
			}
		}
		c := q
		if c.Count <= 0 {
			c.Count = 100
		}
		if w := want(all, c); !slices.Equal(seqs, w) {
			t.Fatalf("%+v:\n got %v\nwant %v", q, seqs, w)
		}
	}
	for _, from := range []int64{1, mid.Seq, int64(len(all)), int64(len(all)) + 1} {
		var seqs []int64
		if err := s.ScanAudit(ctx, from, func(e dsn.AuditEntry) error { seqs = append(seqs, e.Seq); return nil }); err != nil {
			t.Fatal(err)
		}
		if n := max(0, int64(len(all))-from+1); int64(len(seqs)) != n || (n > 0 && seqs[0] != from) {
			t.Fatalf("ScanAudit from %d: %d entries from %v", from, len(seqs), seqs[:min(1, len(seqs))])
		}
	}
}

// A journal kept one row per entry (audit.db's audit_entry, sessions 5–6) is
// taken into blocks when the store opens, seq and hash unchanged, the old
// table dropped; the views find its entries and new ones follow the chain.
func TestJournalRowsAreConverted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, JournalFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const oldSchema = `DROP TABLE audit_block; DROP TABLE audit_key;
	CREATE TABLE audit_entry (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, patient TEXT NOT NULL, agent TEXT NOT NULL,
		action TEXT NOT NULL, body TEXT NOT NULL, hash BLOB NOT NULL);
	CREATE INDEX audit_entry_patient ON audit_entry (patient, seq);
	CREATE INDEX audit_entry_agent ON audit_entry (agent, seq);`
	if _, err := db.Exec(oldSchema); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var prev []byte
	for i, e := range journalEntries(12000, "old") { // more than one batch of the conversion
		e.Seq, e.Patient = int64(i+1), fmt.Sprintf("p%d", i%3)
		link(prev, &e)
		prev = e.Hash
		if _, err := tx.Exec(`INSERT INTO audit_entry VALUES (?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.Time.UnixMicro(), e.Patient, e.Agent, e.Action, string(e.Body), e.Hash); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AppendAudit(ctx, journalEntries(3, "new"), link); err != nil {
		t.Fatal(err)
	}
	checkChain(t, s, 12003)
	got, err := s.SearchAudit(ctx, dsn.AuditQuery{Patient: "p2", Count: 5000})
	if err != nil || len(got) != 4000 || got[0].Seq != 12000 {
		t.Fatalf("patient p2: %d entries, %v", len(got), err)
	}
	var left int
	s.journal.rdb.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'audit_entry'`).Scan(&left)
	if left != 0 {
		t.Fatal("audit_entry is still in audit.db after the conversion")
	}
}

// A process of an earlier version still running after the conversion moves
// entries into its own audit_entry: the next open takes the rows that follow
// the blocks, and drops the table only once every row is in them; a row that
// would leave a gap is not taken and the table stays.
func TestJournalRowsAfterTheBlocksAreTaken(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, journalEntries(5, "new"), link); err != nil {
		t.Fatal(err)
	}
	checkChain(t, s, 5)
	var prev []byte
	s.ScanAudit(ctx, 5, func(e dsn.AuditEntry) error { prev = bytes.Clone(e.Hash); return nil })
	s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, JournalFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE audit_entry (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, patient TEXT NOT NULL,
		agent TEXT NOT NULL, action TEXT NOT NULL, body TEXT NOT NULL, hash BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	insert := func(es []dsn.AuditEntry, from int64) {
		for i, e := range es {
			e.Seq = from + int64(i)
			link(prev, &e)
			prev = e.Hash
			if _, err := db.Exec(`INSERT INTO audit_entry VALUES (?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.Time.UnixMicro(), e.Patient, e.Agent, e.Action, string(e.Body), e.Hash); err != nil {
				t.Fatal(err)
			}
		}
	}
	tail := prev
	insert(journalEntries(3, "old process"), 3) // 3–5: in the blocks already, left aside
	prev = tail
	insert(journalEntries(3, "old process"), 6) // 6–8: only here
	insert(journalEntries(1, "after a gap"), 10)

	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	checkChain(t, s, 8)
	var left int
	s.journal.rdb.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'audit_entry'`).Scan(&left)
	s.Close()
	if left != 1 {
		t.Fatal("audit_entry dropped although its row 10 is not in the blocks")
	}
	db.Exec(`DELETE FROM audit_entry WHERE seq = 10`)
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkChain(t, s, 8)
	s.journal.rdb.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'audit_entry'`).Scan(&left)
	if left != 0 {
		t.Fatal("audit_entry kept although every row is in the blocks")
	}
}
