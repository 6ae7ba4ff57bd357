package repo

import (
	"testing"
	"time"

	"dsn/fhir"
)

// obsBody is the Observation `dsn bench -scenario create-observation` sends
// (bench/data.go: a vital sign of a seeded Patient).
var obsBody = []byte(`{"category":[{"coding":[{"code":"vital-signs","system":"http://terminology.hl7.org/CodeSystem/observation-category"}]}],"code":{"coding":[{"code":"8867-4","display":"Fréquence cardiaque","system":"http://loinc.org"}]},"effectiveDateTime":"2024-03-05T10:15:00Z","resourceType":"Observation","status":"final","subject":{"reference":"Patient/0195e4c2-7d3a-7b6e-9a41-3c2f1e0d9b8a"},"valueQuantity":{"code":"/min","system":"http://unitsofmeasure.org","unit":"/min","value":72}}`)

// BenchmarkPrepareObservation measures the CPU a create spends outside the
// store: decode, validation, index extraction (prepare), then meta and the
// stored encoding (commit's part before Tx.Put). No database.
func BenchmarkPrepareObservation(b *testing.B) {
	s, _ := newTestService(b)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		obj, err := fhir.Decode(obsBody)
		if err != nil {
			b.Fatal(err)
		}
		delete(obj, "id")
		p, err := s.prepare("bench", "Observation", "0195e4c2-7d3a-7b6e-9a41-3c2f1e0d9b8b", obj)
		if err != nil {
			b.Fatal(err)
		}
		p.sized(obsBody)
		fhir.SetMeta(p.obj, "1", now)
		if len(p.encode()) == 0 {
			b.Fatal("empty body")
		}
	}
}
