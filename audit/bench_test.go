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
