package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dsn"
	"dsn/internal/cputime"
)

// BenchmarkJournalMove measures the mover alone: what taking one entry from
// the spool into audit.db costs (cpu-µs/entry), for reads of 200 patients (the
// `dsn bench --scenario read` data) and of 100,000 (every entry its own
// patient, as on a large record). The entries are appended first, four per
// append as concurrent reads are, with the mover stopped.
func BenchmarkJournalMove(b *testing.B) {
	for _, patients := range []int{200, 100000} {
		b.Run(fmt.Sprintf("patients=%d", patients), func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			close(s.journal.moverStop)
			<-s.journal.moverDone
			s.journal.moverStop = nil
			const n = 20000 // entries per move (the mover's second at 20,000 reads/s)
			batch := make([]dsn.AuditEntry, 4)
			next := 0
			fill := func() {
				for i := 0; i < n; i += len(batch) {
					for k := range batch {
						at := time.Now().UTC()
						p, ag := fmt.Sprintf("p%08d", next*7919%patients), fmt.Sprintf("client:c%d", next%3)
						body := fmt.Appendf(nil, `{"time":%q,"agent":%q,"name":"bench","role":"system","client":"c1",`+
							`"jti":"6f1c2d3e4a5b6c7d","remote":"127.0.0.1:51234","action":"read","interaction":"read",`+
							`"method":"GET","path":"/fhir/Patient/%s","status":200,"patient":%q,"resources":["Patient/%s/_history/1"],`+
							`"basis":"system","purpose":"HOPERAT"}`, at.Format(time.RFC3339Nano), ag, p, p, p)
						batch[k] = dsn.AuditEntry{Time: at, Patient: p, Agent: ag, Action: "read", Body: body}
						next++
					}
					if err := s.AppendAudit(ctx, batch, link); err != nil {
						b.Fatal(err)
					}
				}
			}
			var cpu time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				fill()
				b.StartTimer()
				cpu0 := cputime.Process()
				if err := s.journal.move(ctx, false); err != nil {
					b.Fatal(err)
				}
				cpu += cputime.Process() - cpu0
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/entry")
		})
	}
}
