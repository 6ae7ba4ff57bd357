package sqlite

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"dsn"
	"dsn/storetest"
)

// go test ./sqlite -run X -bench WALFrames -benchtime 1000x -v
//
// What a create writes to the WAL, which is what the fsync that acknowledges
// it must flush (durable.go): on the project VM the fsync is bound by bytes
// (docs/benchmarks.md, session 9). 16 clients create Observations of 200
// synthetic people with time-ordered ids, as `dsn bench --scenario
// create-observation` does over HTTP, into a store already holding
// DSN_BENCH_PREFILL (default 5,000) of them (DSN_BENCH_CLIENTS: 16). A read transaction held across
// the measurement keeps the WAL from restarting, so every frame the creates
// appended is still in the file: the benchmark reports frames and KB per
// create and per commit, and logs the frames per B-tree (dbstat) — the scattered
// index leaves are most of them. Keep b.N × ~15 frames under walFrameLimit.
func BenchmarkWALFrames(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	var obs []dsn.Write
	for _, w := range storetest.SynthWrites(b, 200) {
		if w.Type == "Observation" {
			obs = append(obs, w)
		}
	}
	ids := dsn.TimeOrderedIDs{}
	fresh := func(n int) dsn.Write {
		w := obs[n%len(obs)]
		w.ID = ids.NewID()
		return w
	}
	prefill, clients := 5000, 16
	if v := os.Getenv("DSN_BENCH_PREFILL"); v != "" {
		fmt.Sscan(v, &prefill)
	}
	if v := os.Getenv("DSN_BENCH_CLIENTS"); v != "" {
		fmt.Sscan(v, &clients)
	}
	for i := 0; i < prefill; i += 500 {
		part := make([]dsn.Write, 0, 500)
		for j := i; j < min(i+500, prefill); j++ {
			part = append(part, fresh(j))
		}
		if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.(dsn.BulkTx).PutAll(part) }); err != nil {
			b.Fatal(err)
		}
	}

	// the snapshot first, then the WAL's end: no restart can come in between
	hold, err := s.rdb.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer hold.Close()
	if _, err := hold.ExecContext(ctx, "BEGIN"); err != nil {
		b.Fatal(err)
	}
	var n int64
	if err := hold.QueryRowContext(ctx, "SELECT count(*) FROM resource_version").Scan(&n); err != nil {
		b.Fatal(err)
	}
	from := walEnd(b, s)

	var next atomic.Int64
	b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := fresh(int(next.Add(1)))
			if err := s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	to := walEnd(b, s)
	hold.ExecContext(ctx, "ROLLBACK")

	byTree, commits, pageSize := walFramesByTree(b, s, from, to)
	frames := float64(to - from)
	b.ReportMetric(frames/float64(b.N), "frames/write")
	b.ReportMetric(frames*float64(pageSize+24)/1000/float64(b.N), "KB/write")
	b.ReportMetric(float64(b.N)/float64(max(commits, 1)), "writes/commit")
	names := make([]string, 0, len(byTree))
	for k := range byTree {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return byTree[names[i]] > byTree[names[j]] })
	var out strings.Builder
	for _, k := range names {
		fmt.Fprintf(&out, "\n%6.2f frames/write  %s", float64(byTree[k])/float64(b.N), k)
	}
	b.Logf("%d writes, %d commits, %d frames:%s", b.N, commits, to-from, out.String())
}

// walEnd is mxFrame, the last valid frame of the WAL, from the wal-index
// header at the start of the -shm file (sqlite.org/walformat.html, 2.2.1:
// a 32-bit integer in native byte order at offset 16).
func walEnd(b *testing.B, s *Store) uint32 {
	f, err := os.Open(strings.TrimSuffix(s.walPath, "-wal") + "-shm")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var h [4]byte
	if _, err := f.ReadAt(h[:], 16); err != nil {
		b.Fatal(err)
	}
	return binary.NativeEndian.Uint32(h[:])
}

// walFramesByTree counts frames from+1..to of the WAL by the B-tree their page
// belongs to (dbstat; "interior" for its inner pages) and the commit frames
// among them (sqlite.org/walformat.html, 1.2: a frame header is the page
// number and, for a commit, the database size, big-endian).
func walFramesByTree(b *testing.B, s *Store, from, to uint32) (map[string]int, int, int) {
	wal, err := os.ReadFile(s.walPath)
	if err != nil {
		b.Fatal(err)
	}
	pageSize := int(binary.BigEndian.Uint32(wal[8:]))
	tree := map[uint32]string{}
	rows, err := s.rdb.QueryContext(context.Background(), "SELECT pageno, name, pagetype FROM dbstat")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var page uint32
		var name, kind string
		if err := rows.Scan(&page, &name, &kind); err != nil {
			b.Fatal(err)
		}
		if kind == "internal" {
			name += " (interior)"
		}
		tree[page] = name
	}
	rows.Close()
	byTree := map[string]int{}
	commits := 0
	for i := from; i < to; i++ {
		h := wal[32+int(i)*(24+pageSize):]
		page := binary.BigEndian.Uint32(h)
		name, ok := tree[page]
		if !ok {
			name = "page 1 or free"
		}
		byTree[name]++
		if binary.BigEndian.Uint32(h[4:]) != 0 {
			commits++
		}
	}
	return byTree, commits, pageSize
}
