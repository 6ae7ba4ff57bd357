package fhirapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dsn/internal/cputime"
	"dsn/repo"
	"dsn/sqlite"
)

// BenchmarkServe measures what the server does for a read and a search with
// access off (the part every request pays whatever the access setting):
// API.ServeHTTP called directly, no network nor client, so ns/op is the
// handler's time and allocs/op its garbage; cpu-µs/op is the process CPU
// per request (the collector's included), the figure that holds when the
// machine is shared.
// SQLite, one Patient with 20 Observations.
func BenchmarkServe(b *testing.B) {
	st, err := sqlite.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := repo.New(repo.Options{Store: st})
	seedBenchRecord(b, svc) // access_bench_test.go
	api := New(Options{Repo: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Auditor: discardAuditor{}})
	for _, c := range []struct{ name, target string }{
		{"read", "/fhir/Patient/p1"},
		{"search", "/fhir/Observation?patient=p1&code=http://loinc.org|8867-4"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.target, nil)
			req.RemoteAddr = "127.0.0.1:1234"
			req.Header.Set("Accept", "application/fhir+json")
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			cpu0 := cputime.Process()
			for b.Loop() {
				clear(w.h)
				w.status = 0
				api.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
		})
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}

// BenchmarkServeCreate measures a create with access off: POST
// /fhir/Observation (the body `dsn bench -scenario create-observation`
// sends) through API.ServeHTTP, no network, 16 callers at once so that the
// SQLite writer's group commit shares its fsyncs as under load.
// cpu-µs/op is the process CPU per create, the writer's included.
func BenchmarkServeCreate(b *testing.B) {
	st, err := sqlite.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := repo.New(repo.Options{Store: st})
	seedBenchRecord(b, svc)
	api := New(Options{Repo: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Auditor: discardAuditor{}})
	body := `{"category":[{"coding":[{"code":"vital-signs","system":"http://terminology.hl7.org/CodeSystem/observation-category"}]}],` +
		`"code":{"coding":[{"code":"8867-4","display":"Fréquence cardiaque","system":"http://loinc.org"}]},` +
		`"effectiveDateTime":"2024-03-05T10:15:00Z","resourceType":"Observation","status":"final",` +
		`"subject":{"reference":"Patient/p1"},"valueQuantity":{"code":"/min","system":"http://unitsofmeasure.org","unit":"/min","value":72}}`
	b.ReportAllocs()
	b.SetParallelism(8) // 16 callers on 2 cores
	cpu0 := cputime.Process()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			req := httptest.NewRequest("POST", "/fhir/Observation", strings.NewReader(body))
			req.RemoteAddr = "127.0.0.1:1234"
			req.Header.Set("Accept", "application/fhir+json")
			req.Header.Set("Content-Type", "application/fhir+json")
			clear(w.h)
			w.status = 0
			api.ServeHTTP(w, req)
			if w.status != http.StatusCreated {
				b.Errorf("status %d", w.status)
				return
			}
		}
	})
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
}
