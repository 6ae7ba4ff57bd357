package fhirpath_test

import (
	"os"
	"path/filepath"
	"testing"

	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

func loadJSON(b *testing.B, name string) map[string]any {
	dir := suitePath(b)
	raw, err := os.ReadFile(filepath.Join(dir, "inputs", name))
	if err != nil {
		b.Fatal(err)
	}
	obj, err := fhir.Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	return obj
}

func benchEval(b *testing.B, input, src string, want int) {
	obj := loadJSON(b, input)
	e := fhirpath.MustCompile(src)
	opts := &fhirpath.Options{Model: fhir.R4()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := e.Evaluate(obj, opts)
		if err != nil || len(r) != want {
			b.Fatalf("%v %v", r, err)
		}
	}
}

// BenchmarkEvalPatientName is the classic path with a filter.
func BenchmarkEvalPatientName(b *testing.B) {
	benchEval(b, "patient-example.json", "Patient.name.where(use='official').given.first()", 1)
}

// BenchmarkEvalSearchValueQuantity is the R4 search parameter
// Observation-value-quantity, as index extraction runs it on every write.
func BenchmarkEvalSearchValueQuantity(b *testing.B) {
	benchEval(b, "observation-example.json", "(Observation.value as Quantity) | (Observation.value as SampledData)", 1)
}

// BenchmarkEvalSearchCode is the R4 search parameter Observation-code
// (a union of codings reached through a CodeableConcept).
func BenchmarkEvalSearchCode(b *testing.B) {
	benchEval(b, "observation-example.json", "Observation.code.coding.where(system='http://loinc.org').code", 2)
}
