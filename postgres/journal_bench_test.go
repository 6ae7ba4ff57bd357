package postgres

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"dsn"
	"dsn/audit"
	"dsn/internal/cputime"
)

// go test -run X -bench Journal ./postgres: this process's CPU per journal
// entry, appended 4 at a time (a batch of concurrent reads) and moved into
// audit_entry before the timer stops (a read of the journal), with a read's
// and a search's body size. PostgreSQL's own CPU is not in it: measure it
// with scripts/bench-server and the backends' /proc/PID/stat
// (docs/benchmarks.md, session 7).
func BenchmarkJournal(b *testing.B) {
	for _, size := range []int{500, 2500} {
		b.Run(fmt.Sprintf("body=%d", size), func(b *testing.B) {
			ctx := context.Background()
			s := benchStore(b)
			batch := make([]dsn.AuditEntry, 4)
			pad := bytes.Repeat([]byte("x"), size-40)
			cpu0 := cputime.Process()
			b.ResetTimer()
			for i := 0; i < b.N; i += len(batch) {
				for k := range batch {
					batch[k] = dsn.AuditEntry{Time: time.Now(), Patient: fmt.Sprint("p", i%500), Agent: "client:bench",
						Action: "read", Body: fmt.Appendf(nil, `{"n":%d,"pad":"%s"}`, i+k, pad)}
				}
				if err := s.AppendAudit(ctx, batch, audit.Link); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := s.SearchAudit(ctx, dsn.AuditQuery{Count: 1}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/entry")
		})
	}
}
