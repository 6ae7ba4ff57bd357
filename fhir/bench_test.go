package fhir

import (
	"os"
	"path/filepath"
	"testing"
)

// benchFiles are typical clinical resources from the official examples.
var benchFiles = map[string]string{
	"Patient":     "Patient-example.json",
	"Observation": "Observation-f001.json",
}

func benchBody(b *testing.B, name string) []byte {
	body, err := os.ReadFile(filepath.Join(examplesDir(b), benchFiles[name]))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"Patient", "Observation"} {
		body := benchBody(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Decode(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	for _, name := range []string{"Patient", "Observation"} {
		obj, err := Decode(benchBody(b, name))
		if err != nil {
			b.Fatal(err)
		}
		R4()
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := Validate(obj); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadDefinitions measures the one-time decoding of the embedded tables.
func BenchmarkLoadDefinitions(b *testing.B) {
	for b.Loop() {
		if _, err := loadDefinitions(r4Tables); err != nil {
			b.Fatal(err)
		}
	}
}

// vitalSign is the Observation `dsn bench -scenario create-observation`
// sends (a heart rate of a seeded Patient, bench/data.go).
var vitalSign = []byte(`{"category":[{"coding":[{"code":"vital-signs","system":"http://terminology.hl7.org/CodeSystem/observation-category"}]}],` +
	`"code":{"coding":[{"code":"8867-4","display":"Fréquence cardiaque","system":"http://loinc.org"}]},` +
	`"effectiveDateTime":"2024-03-05T10:15:00Z","resourceType":"Observation","status":"final",` +
	`"subject":{"reference":"Patient/p1"},"valueQuantity":{"code":"/min","system":"http://unitsofmeasure.org","unit":"/min","value":72}}`)

// BenchmarkVitalSign decodes, validates and encodes vitalSign: the fhir
// package's part of a create.
func BenchmarkVitalSign(b *testing.B) {
	R4()
	for _, step := range []string{"decode", "validate", "encode"} {
		obj, err := Decode(vitalSign)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(step, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				switch step {
				case "decode":
					_, err = Decode(vitalSign)
				case "validate":
					err = Validate(obj)
				case "encode":
					Encode(obj)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
