package audit_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"dsn"
	"dsn/audit"
	"dsn/internal/cputime"
	"dsn/sqlite"
)

// BenchmarkVerify measures "dsn audit verify" on a journal of
// DSN_BENCH_AUDIT entries (default 200,000) of realistic size (~330 bytes
// of JSON each). The target is at least 1 million entries a minute.
func BenchmarkVerify(b *testing.B) {
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("DSN_BENCH_AUDIT")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const batch = 5000
	rows := make([]dsn.AuditEntry, 0, batch)
	for i := 0; i < n; i++ {
		e := entry(i)
		e.Name, e.Establishment, e.Interaction, e.Method = "Dre Julie Bouchard", "org-ciusss-mcq", "read", "GET"
		e.Path, e.Status, e.Basis, e.Remote = "/fhir/Observation/o"+strconv.Itoa(i), 200, "care-relationship", "10.1.2.3:51234"
		body, _ := json.Marshal(e)
		rows = append(rows, dsn.AuditEntry{Time: e.Time, Patient: e.Patient, Agent: e.Agent, Action: e.Action, Body: body})
		if len(rows) == batch || i == n-1 {
			if err := st.AppendAudit(ctx, rows, audit.Link); err != nil {
				b.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	// the spool's entries into audit.db first: verify is measured, not the move
	if _, err := st.SearchAudit(ctx, dsn.AuditQuery{Count: 1}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		rep, err := audit.Verify(ctx, st, st, nil)
		if err != nil || !rep.OK() || rep.Entries != int64(n) {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	el := time.Since(start)
	b.ReportMetric(float64(n)*float64(b.N)/el.Minutes(), "entries/min")
}

// BenchmarkRecord measures what the journal costs per entry: 16 concurrent
// requests each recording a read's entry (~330 bytes of JSON), through the
// appender, the spool and, before the timer stops, the mover into audit.db.
// cpu-µs/entry is the process CPU per entry (every goroutine, user and
// system), the figure to read on a shared machine.
func BenchmarkRecord(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	l := audit.Open(audit.Options{Journal: st})
	defer st.Close()
	defer l.Close()
	e := audit.Entry{Agent: "user:u1", Name: "Dre Julie Bouchard", Role: "physician", Establishment: "org-ciusss-mcq",
		Practitioner: "pr1", TokenID: "6f1c2d3e", Remote: "127.0.0.1:51234", Action: "read", Interaction: "read", Method: "GET",
		Path: "/fhir/Observation/o3", Status: 200, Patient: "p1", Resources: []string{"Observation/o3/_history/1"},
		Basis: "care-relationship", Purpose: "TREAT"}
	b.SetParallelism(8) // 16 requesters on 2 cores
	cpu0 := cputime.Process()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		e := e
		for pb.Next() {
			e.Time = time.Now().UTC()
			if err := l.Record(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	// the mover's share: every entry into audit.db before the timer stops
	if _, err := st.SearchAudit(ctx, dsn.AuditQuery{Count: 1}); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/entry")
}

// BenchmarkRecordSearch is BenchmarkRecord for a search that touched twenty
// records: each request records twenty entries differing only by their
// record (fhirapi.Entries), which the journal stores as one entry naming
// each since decision 0023, twenty before. cpu-µs/request is the process CPU
// per request, the mover's share included.
func BenchmarkRecordSearch(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	l := audit.Open(audit.Options{Journal: st})
	defer st.Close()
	defer l.Close()
	base := audit.Entry{Agent: "client:0f8e2c1d", Name: "bench", Role: "system", Client: "0f8e2c1d", TokenID: "6f1c2d3e4a5b6c7d",
		Remote: "127.0.0.1:51234", Action: "search", Interaction: "search-type", Method: "GET", Path: "/fhir/Patient",
		Query: "family=Tremblay&_count=20", Status: 200, Basis: "system", Purpose: "HOPERAT"}
	b.SetParallelism(8) // 16 requesters on 2 cores
	cpu0 := cputime.Process()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		es := make([]audit.Entry, 20)
		n := 0
		for pb.Next() {
			now := time.Now().UTC()
			for i := range es {
				n++
				es[i] = base
				es[i].Time, es[i].Patient = now, "pat-"+strconv.Itoa(n%5000)
				es[i].Resources = []string{"Patient/" + es[i].Patient + "/_history/1"}
			}
			if err := l.Record(ctx, es...); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if _, err := st.SearchAudit(ctx, dsn.AuditQuery{Count: 1}); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/request")
}
