package repo

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// synthPatient is a transaction Bundle of one synth-like patient (ids fixed
// by PUT): the Patient, 5 Encounters, 15 Observations, 5 Conditions and 4
// MedicationRequests (30 compartment resources), referencing a shared
// Practitioner, Organization, Location and Medication.
func synthPatient(p string) []byte {
	var e []string
	add := func(typ, id, body string) {
		e = append(e, fmt.Sprintf(`{"resource":{"resourceType":%q,"id":%q,%s},"request":{"method":"PUT","url":"%s/%s"}}`, typ, id, body, typ, id))
	}
	subj := `"subject":{"reference":"Patient/` + p + `"}`
	add("Patient", p, `"name":[{"family":"Tremblay","given":["Marie"]}],"gender":"female","birthDate":"1970-03-04","managingOrganization":{"reference":"Organization/org"},"generalPractitioner":[{"reference":"Practitioner/dr"}]`)
	for i := range 5 {
		add("Encounter", fmt.Sprintf("%s-e%d", p, i), `"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},`+subj+
			`,"participant":[{"individual":{"reference":"Practitioner/dr"}}],"location":[{"location":{"reference":"Location/loc"}}],"serviceProvider":{"reference":"Organization/org"},"period":{"start":"2025-0`+fmt.Sprint(i+1)+`-01T10:00:00Z"}`)
	}
	for i := range 15 {
		add("Observation", fmt.Sprintf("%s-o%d", p, i), `"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},`+subj+
			fmt.Sprintf(`,"encounter":{"reference":"Encounter/%s-e%d"},"effectiveDateTime":"2025-01-01T10:00:00Z","valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}`, p, i%5, 60+i))
	}
	for i := range 5 {
		add("Condition", fmt.Sprintf("%s-c%d", p, i), `"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}]},`+subj+`,"asserter":{"reference":"Practitioner/dr"}`)
	}
	for i := range 4 {
		add("MedicationRequest", fmt.Sprintf("%s-m%d", p, i), `"status":"active","intent":"order","medicationReference":{"reference":"Medication/med"},`+subj+`,"requester":{"reference":"Practitioner/dr"}`)
	}
	return []byte(`{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(e, ",") + `]}`)
}

// BenchmarkEverything measures Patient/$everything over a SQLite store of 50
// synth-like patients (30 compartment resources each, plus 4 shared
// referenced resources): one page of 50 with the Patient first and the
// Practitioner, Organization, Location and Medication included.
func BenchmarkEverything(b *testing.B) {
	s, _ := newTestService(b)
	ctx := context.Background()
	shared := `{"resourceType":"Bundle","type":"transaction","entry":[` +
		`{"resource":{"resourceType":"Practitioner","id":"dr","name":[{"family":"Roy"}]},"request":{"method":"PUT","url":"Practitioner/dr"}},` +
		`{"resource":{"resourceType":"Organization","id":"org","name":"CLSC"},"request":{"method":"PUT","url":"Organization/org"}},` +
		`{"resource":{"resourceType":"Location","id":"loc","name":"Clinique"},"request":{"method":"PUT","url":"Location/loc"}},` +
		`{"resource":{"resourceType":"Medication","id":"med","code":{"text":"metformine"}},"request":{"method":"PUT","url":"Medication/med"}}]}`
	if _, err := s.Bundle(ctx, "http://x/fhir", []byte(shared), false); err != nil {
		b.Fatal(err)
	}
	const patients = 50
	for i := range patients {
		if _, err := s.Bundle(ctx, "http://x/fhir", synthPatient(fmt.Sprintf("p%d", i)), false); err != nil {
			b.Fatal(err)
		}
	}
	bundle, err := s.Everything(ctx, "http://x/fhir", "p0", url.Values{})
	if err != nil {
		b.Fatal(err)
	}
	if n := len(bundle["entry"].([]any)); n != 34 {
		b.Fatalf("$everything of p0: %d entries, want 30 + 4 referenced", n)
	}
	var next atomic.Int64
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("p%d", next.Add(1)%patients)
			if _, err := s.Everything(ctx, "http://x/fhir", id, url.Values{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
