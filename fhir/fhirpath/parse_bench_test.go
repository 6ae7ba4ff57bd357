package fhirpath

import "testing"

// BenchmarkCompile measures parsing and binding without the cache.
func BenchmarkCompile(b *testing.B) {
	src := "Patient.name.where(use='official' and period.end.empty()).given.first() | Patient.telecom.where(system='phone').value"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileCached is Compile on text already seen.
func BenchmarkCompileCached(b *testing.B) {
	src := "Patient.name.where(use='official').given.first()"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}
