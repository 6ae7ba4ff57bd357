package repo

import (
	"context"
	"os"
	"testing"
	"time"

	"dsn/fhir"
	"dsn/internal/cputime"
)

// BenchmarkCreateParallel measures durable creates of a small Patient through
// the whole write pipeline (decode, validate, extract, group commit on SQLite).
func BenchmarkCreateParallel(b *testing.B) {
	s, _ := newTestService(b)
	body := patient("BENCH")
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Create(context.Background(), "Patient", body, ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkTransaction10 measures a transaction of 10 creates that reference
// each other through urn:uuid fullUrls.
func BenchmarkTransaction10(b *testing.B) {
	s, _ := newTestService(b)
	body := []byte(txBundle10)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Bundle(context.Background(), "http://x/fhir", body, false); err != nil {
			b.Fatal(err)
		}
	}
}

var txBundle10 = func() string {
	s := `{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","name":[{"family":"Lavoie"}]},"request":{"method":"POST","url":"Patient"}}`
	for range 9 {
		s += `,{"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2339-0"}]},"subject":{"reference":"urn:uuid:p"},"valueQuantity":{"value":5.4,"unit":"mmol/L","system":"http://unitsofmeasure.org","code":"mmol/L"}},"request":{"method":"POST","url":"Observation"}}`
	}
	return s + `]}`
}()

// BenchmarkTransactionBench posts the transaction `dsn bench -scenario
// transaction` sends (testdata/bench-transaction.json, from its generator:
// 1 Patient and 25 Encounters, Observations, Conditions and
// MedicationRequests referencing it by urn:uuid), 8 at once on SQLite.
// cpu-µs/op is the process CPU per Bundle, the writer's included.
func BenchmarkTransactionBench(b *testing.B) {
	s, _ := newTestService(b)
	body, err := os.ReadFile("testdata/bench-transaction.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(4)
	cpu0 := cputime.Process()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Bundle(context.Background(), "http://x/fhir", body, false); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
}

// BenchmarkTransactionPlan is the request side of the bench's transaction
// without the store: the Bundle decoded and its entries parsed, then
// resolved, rewritten, validated and indexed (preplan), then the
// versions' meta set and bodies encoded as commit does.
func BenchmarkTransactionPlan(b *testing.B) {
	s, _ := newTestService(b)
	body, err := os.ReadFile("testdata/bench-transaction.json")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		_, entries, err := s.parseBundle("bench", body)
		if err != nil {
			b.Fatal(err)
		}
		if ok, err := s.preplan(body, entries, entries); !ok || err != nil {
			b.Fatal("the bench's transaction needs no store", err)
		}
		for _, e := range entries {
			fhir.SetMeta(e.prep.obj, "1", now)
			fhir.Encode(e.prep.obj)
		}
	}
}
