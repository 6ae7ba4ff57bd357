package storetest

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"

	"dsn"
)

// historyStore fills s with n Patients (ids returned) and n Observations, the
// first 100 Patients with three versions, so that history queries run on a
// store that is not empty: a query that walks the type's versions instead of
// seeking the instance gets slower as the store grows.
func historyStore(b *testing.B, s dsn.Store, n int) []string {
	ids := make([]string, 0, n)
	for i := 0; i < n; i += 250 {
		ws := make([]dsn.Write, 0, 500)
		for range 250 {
			p := benchPatient("bh")
			o := benchPatient("bho")
			o.Type = "Observation"
			ids = append(ids, p.ID)
			ws = append(ws, p, o)
		}
		writeAll(b, s, ws)
	}
	for v := int64(2); v <= 3; v++ {
		ws := make([]dsn.Write, 100)
		for i := range ws {
			w := benchPatient("x")
			w.ID, w.VersionID, w.PatientKey = ids[i], v, ids[i]
			ws[i] = w
		}
		writeAll(b, s, ws)
	}
	return ids
}

func writeAll(b *testing.B, s dsn.Store, ws []dsn.Write) {
	err := s.Write(context.Background(), putAll(ws))
	if err != nil {
		b.Fatal(err)
	}
}

// BenchHistoryInstance reads the history of one of the first (oldest) 100
// Patients among 10,000 (plus 10,000 Observations), from 16 concurrent clients.
func BenchHistoryInstance(b *testing.B, s dsn.Store) {
	ids := historyStore(b, s, 10000)
	benchHistory(b, s, func(i int64) dsn.HistoryQuery {
		return dsn.HistoryQuery{Type: "Patient", ID: ids[i%100]}
	}, 3)
}

// BenchHistoryType reads the first page (50) of the Patient type history on the
// same store, from 16 concurrent clients.
func BenchHistoryType(b *testing.B, s dsn.Store) {
	historyStore(b, s, 10000)
	benchHistory(b, s, func(int64) dsn.HistoryQuery { return dsn.HistoryQuery{Type: "Patient"} }, 50)
}

func benchHistory(b *testing.B, s dsn.Store, query func(int64) dsn.HistoryQuery, want int) {
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, err := s.History(ctx, query(next.Add(1)))
			if err != nil || len(p.Entries) != want {
				b.Errorf("history: %d entries, %v", len(p.Entries), err)
				return
			}
		}
	})
	rate(b, b.N, "req/s")
}
