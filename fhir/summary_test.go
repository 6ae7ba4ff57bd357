package fhir

import "testing"

func TestSummaryElements(t *testing.T) {
	cases := []struct {
		typ, key          string
		summary, required bool
	}{
		{"Patient", "id", true, false},
		{"Patient", "meta", true, false},
		{"Patient", "name", true, false},
		{"Patient", "_birthDate", true, false},
		{"Patient", "text", false, false},
		{"Patient", "photo", false, false},
		{"Patient", "contact", false, false},
		{"Observation", "status", true, true},
		{"Observation", "code", true, true},
		{"Observation", "valueQuantity", true, false},
		{"Observation", "note", false, false},
		{"Nope", "id", false, false},
	}
	for _, c := range cases {
		if got := IsSummary(c.typ, c.key); got != c.summary {
			t.Errorf("IsSummary(%s, %s) = %v", c.typ, c.key, got)
		}
		if got := IsMandatory(c.typ, c.key); got != c.required {
			t.Errorf("IsMandatory(%s, %s) = %v", c.typ, c.key, got)
		}
	}
}
