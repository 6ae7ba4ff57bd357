package search

import (
	"fmt"
	"path/filepath"
	"testing"

	"dsn/fhir"
)

// BenchmarkExtractTypes extracts every official example of a few resource
// types; ns/op is per resource (the examples of the type in turn).
func BenchmarkExtractTypes(b *testing.B) {
	for _, rt := range []string{"Observation", "Patient", "Encounter", "Condition", "MedicationRequest",
		"DiagnosticReport", "Questionnaire", "ValueSet"} {
		// Only this type's files: a heap holding every example would make
		// the collector's work part of the figure.
		files, _ := filepath.Glob(filepath.Join(examplesDir(), rt+"-*.json"))
		var list []fhir.Object
		for _, f := range files {
			if o := readExample(b, f); o != nil && fhir.ResourceType(o) == rt {
				list = append(list, o)
			}
		}
		if len(list) == 0 {
			b.Skip("R4 examples package not found; run scripts/fhir-package")
		}
		b.Run(rt, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, _, err := Extract(list[i%len(list)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkExtractObservationEngine is BenchmarkExtractObservationR4 with
// every expression evaluated by the FHIRPath engine: why the walker stays
// the fast path.
func BenchmarkExtractObservationEngine(b *testing.B) {
	eng := &registry{params: fhirParams, compartment: fhirCompartment, model: r4Model{}, engineOnly: true}
	obj := decode(b, observationJSON)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := eng.extract(obj); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractObservationVital extracts the Observation `dsn bench
// -scenario create-observation` sends (a heart rate, no components): the
// index rows of the everyday clinical write.
func BenchmarkExtractObservationVital(b *testing.B) {
	obj := decode(b, vitalSignJSON)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Extract(obj); err != nil {
			b.Fatal(err)
		}
	}
}

const vitalSignJSON = `{"category":[{"coding":[{"code":"vital-signs","system":"http://terminology.hl7.org/CodeSystem/observation-category"}]}],` +
	`"code":{"coding":[{"code":"8867-4","display":"Fréquence cardiaque","system":"http://loinc.org"}]},` +
	`"effectiveDateTime":"2024-03-05T10:15:00Z","resourceType":"Observation","status":"final",` +
	`"subject":{"reference":"Patient/p1"},"valueQuantity":{"code":"/min","system":"http://unitsofmeasure.org","unit":"/min","value":72}}`

// BenchmarkExtractAfterLarge extracts the heart-rate Observation, with a
// 2,000-code ValueSet every 50th time: the pooled scratch grown by the
// ValueSet must not make the Observations' extractions dearer.
func BenchmarkExtractAfterLarge(b *testing.B) {
	vital := decode(b, vitalSignJSON)
	codes := make([]any, 2000)
	for i := range codes {
		codes[i] = map[string]any{"code": fmt.Sprintf("c%d", i), "display": "x"}
	}
	large := fhir.Object{"resourceType": "ValueSet", "status": "active", "url": "urn:x",
		"expansion": map[string]any{"timestamp": "2026-01-01", "contains": codes}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		obj := vital
		if i%50 == 0 {
			obj = large
		}
		if _, _, err := Extract(obj); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
