package fhirapi

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkReadHTTP measures GET /fhir/Patient/{id} over real HTTP on SQLite,
// 64 clients at once.
func BenchmarkReadHTTP(b *testing.B) {
	s := newServer(b, nil)
	body := `{"resourceType":"Patient","id":"r","name":[{"family":"Tremblay","given":["Marie"]}],"gender":"female","birthDate":"1970-01-01"}`
	req, _ := http.NewRequest("PUT", s.URL+"/fhir/Patient/r", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/fhir+json")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 201 {
		b.Fatalf("seed: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := client.Get(s.URL + "/fhir/Patient/r")
			if err != nil || res.StatusCode != 200 {
				b.Error("read failed", err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}

// BenchmarkCreateHTTP measures durable POST /fhir/Patient over real HTTP on
// SQLite, 64 clients at once (group commit shares the fsyncs).
func BenchmarkCreateHTTP(b *testing.B) {
	s := newServer(b, nil)
	body := `{"resourceType":"Patient","name":[{"family":"Tremblay","given":["Marie"]}],"gender":"female","birthDate":"1970-01-01"}`
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", s.URL+"/fhir/Patient", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/fhir+json")
			req.Header.Set("Prefer", "return=minimal")
			res, err := client.Do(req)
			if err != nil || res.StatusCode != 201 {
				b.Error("create failed", err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}
