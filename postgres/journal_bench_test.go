package postgres

import (
	"bytes"
	"context"
	"fmt"
	"strings"
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

// BenchmarkJournalSearch: a search that touched twenty records, journaled as
// twenty entries of ~450 bytes (before decision 0023) or as one entry naming
// the twenty (~1,600 bytes, the patients in audit_patient). Appended 4
// requests at a time, then moved into audit_entry by one read of the journal.
// cpu-µs/request is this process's CPU; move-µs/request the move's wall time
// (mostly PostgreSQL's COPY and index inserts, not in this process's CPU).
func BenchmarkJournalSearch(b *testing.B) {
	for _, perRequest := range []int{20, 1} {
		b.Run(fmt.Sprintf("entries=%d", perRequest), func(b *testing.B) {
			ctx := context.Background()
			s := benchStore(b)
			head := bytes.Repeat([]byte("h"), 330)
			part := bytes.Repeat([]byte("r"), 60)
			var batch []dsn.AuditEntry
			cpu0 := cputime.Process()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ps := make([]string, 20)
				for k := range ps {
					ps[k] = fmt.Sprint("pat-", (i*20+k)%5000)
				}
				if perRequest == 20 {
					for k := range ps {
						batch = append(batch, dsn.AuditEntry{Time: time.Now(), Patient: ps[k], Agent: "client:bench", Action: "search",
							Body: fmt.Appendf(nil, `{"n":%d,"head":"%s","p":"%s","r":"%s"}`, i, head, ps[k], part)})
					}
				} else {
					body := fmt.Appendf(nil, `{"n":%d,"head":"%s","patients":[`, i, head)
					for k := range ps {
						body = fmt.Appendf(body, `{"p":"%s","r":"%s"},`, ps[k], part)
					}
					batch = append(batch, dsn.AuditEntry{Time: time.Now(), Patient: strings.Join(ps, " "), Agent: "client:bench",
						Action: "search", Body: append(body, "{}]}"...)})
				}
				if i%4 == 3 || i == b.N-1 {
					if err := s.AppendAudit(ctx, batch, audit.Link); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			start := time.Now()
			if _, err := s.SearchAudit(ctx, dsn.AuditQuery{Count: 1}); err != nil {
				b.Fatal(err)
			}
			move := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/request")
			b.ReportMetric(float64(move.Microseconds())/float64(b.N), "move-µs/request")
		})
	}
}
