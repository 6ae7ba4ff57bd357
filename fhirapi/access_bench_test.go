package fhirapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/internal/cputime"
	"dsn/repo"
	"dsn/sqlite"
)

// benchAccessServer serves p1's record (a Patient whose family physician is
// Practitioner/pr1 and 20 Observations) open (loopback seam, slog audit to
// nowhere, no guard), with the policy only (bearer token and policy guard,
// slog audit: what the journal costs is the difference with guarded), or
// guarded (bearer token, policy guard, durable journal). It returns the URL,
// the token of pr1's user, and settle, which moves the journal's spool into
// audit.db (the spool mover's work, done in the background every second,
// belongs to the requests measured).
func benchAccessServer(b *testing.B, mode string) (url, token string, settle func()) {
	guarded := mode != "open"
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	svc := repo.New(repo.Options{Store: st})
	seedBenchRecord(b, svc)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := Options{Repo: svc, Logger: log}
	tok := ""
	var journal *audit.Log
	if guarded {
		auth := access.New(access.Options{Records: st})
		u, err := auth.CreateUser(ctx, access.NewUser{Username: "dr", Role: access.RolePhysician, Establishment: "e", Practitioner: "pr1"})
		if err != nil {
			b.Fatal(err)
		}
		tok, _, _ = auth.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.rs"), ""), time.Hour)
		journal = audit.Open(audit.Options{Journal: st, Logger: log})
		o.Repo = repo.New(repo.Options{Store: access.NewGuard(st, access.NewPolicy(auth, st, log))})
		o.Authorizer, o.Auditor = Bearer{Auth: auth}, Journal{Log: journal}
		if mode == "policy" {
			o.Auditor = SlogAuditor{Logger: log}
		}
	}
	srv := httptest.NewServer(New(o))
	b.Cleanup(func() {
		srv.Close()
		if journal != nil {
			journal.Close()
		}
		st.Close()
	})
	settle = func() {
		if journal != nil {
			if _, err := st.SearchAudit(ctx, dsn.AuditQuery{Count: 1}); err != nil {
				b.Fatal(err)
			}
		}
	}
	return srv.URL, tok, settle
}

// seedBenchRecord writes p1's record: Practitioner pr1, Patient p1 (pr1 its
// family physician) and 20 heart-rate Observations of p1.
func seedBenchRecord(b *testing.B, svc *repo.Service) {
	ctx := context.Background()
	put := func(typ, id, body string) {
		if _, err := svc.Update(ctx, typ, id, []byte(body), 0); err != nil {
			b.Fatal(err)
		}
	}
	put("Practitioner", "pr1", `{"resourceType":"Practitioner","id":"pr1"}`)
	put("Patient", "p1", `{"resourceType":"Patient","id":"p1","name":[{"family":"Tremblay","given":["Marie"]}],`+
		`"gender":"female","birthDate":"1970-01-01","generalPractitioner":[{"reference":"Practitioner/pr1"}]}`)
	for i := range 20 {
		put("Observation", fmt.Sprintf("o%d", i), fmt.Sprintf(`{"resourceType":"Observation","id":"o%d","status":"final",`+
			`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/p1"},`+
			`"valueQuantity":{"value":%d,"unit":"/min"}}`, i, 60+i))
	}
}

// BenchmarkAccessOverhead compares reads and searches without and with
// access control (policy alone, then policy + durable journal): serial
// requests give the p50 latency, 16 parallel clients the throughput.
// docs/benchmarks.md.
func BenchmarkAccessOverhead(b *testing.B) {
	for _, mode := range []string{"open", "policy", "guarded"} {
		for _, q := range []struct{ name, path string }{
			{"read", "/fhir/Observation/o3"},
			{"search", "/fhir/Observation?subject=Patient/p1"},
		} {
			b.Run(mode+"/"+q.name+"/serial", func(b *testing.B) {
				url, tok, _ := benchAccessServer(b, mode)
				client := &http.Client{}
				var lat []time.Duration
				b.ResetTimer()
				for b.Loop() {
					t := time.Now()
					get(b, client, url+q.path, tok)
					lat = append(lat, time.Since(t))
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			})
			b.Run(mode+"/"+q.name+"/parallel", func(b *testing.B) {
				url, tok, settle := benchAccessServer(b, mode)
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
				b.SetParallelism(8) // 16 clients on 2 cores
				cpu0 := cputime.Process()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						get(b, client, url+q.path, tok)
					}
				})
				settle()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
				// CPU time (client and server, user and system) per request:
				// what throughput costs, unlike req/s little moved by other
				// processes on the machine
				b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
			})
		}
	}
}

func get(b *testing.B, c *http.Client, url, tok string) {
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.Contains(url, "?") && !strings.Contains(string(body), `"o19"`) {
		b.Fatalf("%s: %d %.200s", url, res.StatusCode, body)
	}
}
