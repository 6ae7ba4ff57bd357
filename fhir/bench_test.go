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
