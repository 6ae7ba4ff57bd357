package spool

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"dsn"
	"dsn/internal/cputime"
)

// BenchmarkSyncAppend measures what a strict write's spool sync costs the
// process: one record (~a create's journal entry) appended, then synced, as
// Append and Sync do, against the variants a preallocated spool would allow
// (docs/benchmarks.md, session 8, "the spool's fsync"):
//
//   - fsync: the spool today, a file growing by each record (Sync);
//   - fdatasync: the same file, fdatasync (the size still changes, so the
//     inode is journalled all the same);
//   - fdatasync-fallocated: records written inside space fallocate reserved
//     (ext4 marks it unwritten: the first write of each extent converts it,
//     a journalled metadata change);
//   - fdatasync-prewritten: records written over zeros written and synced
//     beforehand, as PostgreSQL recycles WAL segments: no metadata changes,
//     only the data page and the device's cache flush.
//
// cpu-µs/sync is the process's CPU (the kernel's journal thread, jbd2, is not
// counted: the variants without metadata changes spare it too). Run it on the
// file system the spool lives on: the test's temp dir, or TMPDIR.
func BenchmarkSyncAppend(b *testing.B) {
	var e dsn.AuditEntry
	e.Seq, e.Patient, e.Agent, e.Action = 1, "Patient/p1", "practitioner:bench", "create"
	e.Body = make([]byte, 400)
	rec := AppendRecord(nil, &e)
	const room = 64 << 20 // what the prewritten and fallocated files hold
	for _, mode := range []string{"fsync", "fdatasync", "fdatasync-fallocated", "fdatasync-prewritten"} {
		b.Run(mode, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "spool"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			switch mode {
			case "fdatasync-fallocated":
				if err := syscall.Fallocate(int(f.Fd()), 0, 0, room); err != nil {
					b.Skip("fallocate:", err)
				}
			case "fdatasync-prewritten":
				zeros := make([]byte, 1<<20)
				for off := int64(0); off < room; off += int64(len(zeros)) {
					if _, err := f.WriteAt(zeros, off); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			off := int64(Header)
			b.ResetTimer()
			cpu0 := cputime.Process()
			for i := 0; i < b.N; i++ {
				if off+int64(len(rec)) > room {
					off = Header // stay inside the prepared room (b.N is small: each sync waits for the disk)
				}
				if _, err := f.WriteAt(rec, off); err != nil {
					b.Fatal(err)
				}
				off += int64(len(rec))
				if mode == "fsync" {
					err = f.Sync()
				} else {
					err = syscall.Fdatasync(int(f.Fd()))
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/sync")
		})
	}
}
