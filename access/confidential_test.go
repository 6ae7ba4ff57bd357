package access

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// containsSecurity answers as bytes.Contains does, wherever the key sits
// (start, end, cut short, among look-alikes).
func TestContainsSecurity(t *testing.T) {
	cases := []string{``, `"security"`, `x"security"`, `"security"x`, `"security`, `security"`, `"securit"`,
		`{"meta":{"security":[]}}`, `{"display":"y","system":"yy"}`, `"secur"ity"`, `y"security"y`, `yyyyyyyyyy`,
		`{"a":"securityy","b":"Security"}`}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 { // random strings over the key's bytes
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteByte(`"security`[rng.IntN(9)])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		if got, want := containsSecurity([]byte(c)), bytes.Contains([]byte(c), securityKey); got != want {
			t.Fatalf("containsSecurity(%q) = %v, want %v", c, got, want)
		}
	}
}

// BenchmarkConfidential: the label check every resource leaving the store
// passes, on an ~860-byte Observation without labels.
func BenchmarkConfidential(b *testing.B) {
	body := []byte(`{"resourceType":"Observation","id":"o1","meta":{"versionId":"1","lastUpdated":"2026-12-06T22:00:00.123Z"},` +
		`"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category",` +
		`"code":"vital-signs","display":"Vital Signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4",` +
		`"display":"Heart rate"}],"text":"Heart rate"},"subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"},` +
		`"effectiveDateTime":"2026-12-01T10:00:00Z","valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}` +
		strings.Repeat(`,"note":[{"text":"stable"}]`, 10) + `}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if confidential(body) {
			b.Fatal("no label")
		}
	}
}
