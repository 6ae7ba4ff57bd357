package search

import (
	"slices"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
)

func decode(t testing.TB, s string) fhir.Object {
	t.Helper()
	obj, err := fhir.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

const patientJSON = `{"resourceType":"Patient","id":"p1","active":true,
 "meta":{"tag":[{"system":"urn:dsn:tag","code":"demo"}],"profile":["http://x/StructureDefinition/p"]},
 "identifier":[{"system":"https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id","value":"TREM12345678","type":{"text":"NAM"}}],
 "name":[{"family":"Côté","given":["Hélène","Marie"],"text":"Hélène Côté"}],
 "telecom":[{"system":"phone","value":"514-555-0100"},{"system":"email","value":"helene@example.org"}],
 "gender":"female","birthDate":"1974-12","deceasedDateTime":"2026-01-02T03:04:05-05:00",
 "address":[{"line":["12 rue Principale"],"city":"Trois-Rivières","postalCode":"G9A 1A1"}],
 "generalPractitioner":[{"reference":"Practitioner/dr1"},{"reference":"#contained"}],
 "managingOrganization":{"reference":"https://example.org/fhir/Organization/o1"},
 "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-extensions-Patient-mothersMaidenName","valueString":"Gagnon"}]}`

func TestExtractPatient(t *testing.T) {
	r := newTestRegistry()
	ix, key, err := r.extract(decode(t, patientJSON))
	if err != nil {
		t.Fatal(err)
	}
	if key != "p1" {
		t.Errorf("patient key = %q, want p1", key)
	}
	wantTokens := []dsn.TokenKey{
		{Param: "_tag", System: "urn:dsn:tag", Code: "demo"},
		{Param: "active", Code: "true"},
		{Param: "deceased", Code: "true"},
		{Param: "email", Code: "helene@example.org"},
		{Param: "gender", Code: "female"},
		{Param: "identifier", System: "https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id", Code: "TREM12345678", Text: "nam"},
		{Param: "phone", Code: "514-555-0100"},
	}
	if !slices.Equal(ix.Tokens, wantTokens) {
		t.Errorf("tokens:\n got %+v\nwant %+v", ix.Tokens, wantTokens)
	}
	hasString := func(param, norm, exact string) {
		t.Helper()
		if !slices.Contains(ix.Strings, dsn.StringKey{Param: param, Norm: norm, Exact: exact}) {
			t.Errorf("missing string row %s %q in %+v", param, norm, ix.Strings)
		}
	}
	hasString("family", "cote", "Côté")
	hasString("given", "helene", "Hélène")
	hasString("given", "marie", "Marie")
	hasString("name", "helene cote", "Hélène Côté")
	hasString("name", "cote", "Côté")
	hasString("address", "trois-rivieres", "Trois-Rivières")
	hasString("address", "g9a 1a1", "G9A 1A1")
	hasString("address-city", "trois-rivieres", "Trois-Rivières")
	hasString("mothersMaidenName", "gagnon", "Gagnon")
	wantDates := []dsn.DateKey{
		{Param: "birthdate", Low: utc(1974, 12, 1, 0, 0, 0), High: utc(1975, 1, 1, 0, 0, 0)},
		{Param: "death-date", Low: utc(2026, 1, 2, 8, 4, 5), High: utc(2026, 1, 2, 8, 4, 6)},
	}
	if !slices.Equal(ix.Dates, wantDates) {
		t.Errorf("dates:\n got %+v\nwant %+v", ix.Dates, wantDates)
	}
	wantRefs := []dsn.RefKey{
		{Param: "general-practitioner", Type: "Practitioner", ID: "dr1"},
		{Param: "organization", URL: "https://example.org/fhir/Organization/o1"},
	}
	if !slices.Equal(ix.References, wantRefs) {
		t.Errorf("refs:\n got %+v\nwant %+v", ix.References, wantRefs)
	}
	if want := []dsn.URIKey{{Param: "_profile", URI: "http://x/StructureDefinition/p"}}; !slices.Equal(ix.URIs, want) {
		t.Errorf("uris = %+v", ix.URIs)
	}
	for _, s := range ix.Strings {
		if s.Param == "_id" {
			t.Error("_id must not be indexed")
		}
	}
}

const observationJSON = `{"resourceType":"Observation","id":"o1","status":"final",
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel"}],"text":"Tension artérielle"},
 "subject":{"reference":"Patient/p1"},"performer":[{"reference":"Practitioner/dr1"}],
 "encounter":{"reference":"urn:uuid:0b7e8a5c-0000-4000-8000-000000000001"},
 "effectiveDateTime":"2026-11-25T10:30:00Z",
 "valueQuantity":{"value":72.50,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"},
 "component":[
  {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`

func TestExtractObservation(t *testing.T) {
	r := newTestRegistry()
	ix, key, err := r.extract(decode(t, observationJSON))
	if err != nil {
		t.Fatal(err)
	}
	if key != "p1" {
		t.Errorf("patient key = %q, want p1", key)
	}
	wantQ := []dsn.QuantityKey{
		{Param: "component-value-quantity", Value: 120, Low: 120, High: 120, System: "http://unitsofmeasure.org", Code: "mm[Hg]", Unit: "mmHg"},
		{Param: "component-value-quantity", Value: 80, Low: 80, High: 80, System: "http://unitsofmeasure.org", Code: "mm[Hg]", Unit: "mmHg"},
		{Param: "value-quantity", Value: 72.5, Low: 72.5, High: 72.5, System: "http://unitsofmeasure.org", Code: "kg", Unit: "kg"},
	}
	if !slices.Equal(ix.Quantities, wantQ) {
		t.Errorf("quantities:\n got %+v\nwant %+v", ix.Quantities, wantQ)
	}
	countParam := func(p string) (n int) {
		for _, k := range ix.Tokens {
			if k.Param == p {
				n++
			}
		}
		return n
	}
	if n := countParam("combo-code"); n != 3 {
		t.Errorf("combo-code rows = %d, want 3", n)
	}
	if !slices.Contains(ix.Tokens, dsn.TokenKey{Param: "code", System: "http://loinc.org", Code: "85354-9", Text: "tension arterielle"}) {
		t.Errorf("code row missing: %+v", ix.Tokens)
	}
	wantRefs := []dsn.RefKey{
		{Param: "encounter", URL: "urn:uuid:0b7e8a5c-0000-4000-8000-000000000001"},
		{Param: "patient", Type: "Patient", ID: "p1"},
		{Param: "performer", Type: "Practitioner", ID: "dr1"},
		{Param: "subject", Type: "Patient", ID: "p1"},
	}
	if !slices.Equal(ix.References, wantRefs) {
		t.Errorf("refs:\n got %+v\nwant %+v", ix.References, wantRefs)
	}
	wantDates := []dsn.DateKey{{Param: "date", Low: utc(2026, 11, 25, 10, 30, 0), High: utc(2026, 11, 25, 10, 30, 1)}}
	if !slices.Equal(ix.Dates, wantDates) {
		t.Errorf("dates = %+v", ix.Dates)
	}
	if len(ix.Strings) != 0 {
		t.Errorf("value-string must not match a Quantity: %+v", ix.Strings)
	}
}

func TestExtractChoicesAndShapes(t *testing.T) {
	typed := newTestRegistry()
	untyped := newTestRegistry()
	untyped.model = nil // choice elements found by scanning keys: same rows
	cases := []struct {
		name, json string
		check      func(t *testing.T, ix dsn.Index, key string)
	}{
		{"patient key only through a Patient reference", `{"resourceType":"Observation","subject":{"reference":"Group/g1"},"performer":[{"reference":"Patient/p9"}]}`,
			func(t *testing.T, ix dsn.Index, key string) {
				if key != "p9" {
					t.Errorf("key = %q, want p9", key)
				}
			}},
		{"resolve() is Patient keeps only patients", `{"resourceType":"Observation","subject":{"reference":"Group/g1"}}`,
			func(t *testing.T, ix dsn.Index, key string) {
				for _, r := range ix.References {
					if r.Param == "patient" {
						t.Errorf("unexpected patient row %+v", r)
					}
				}
				if key != "" {
					t.Errorf("key = %q", key)
				}
			}},
		{"reference type element counts", `{"resourceType":"Encounter","subject":{"reference":"https://x/fhir/Patient/p2","type":"Patient"}}`,
			func(t *testing.T, ix dsn.Index, key string) {
				if !slices.Contains(ix.References, dsn.RefKey{Param: "patient", URL: "https://x/fhir/Patient/p2"}) {
					t.Errorf("refs = %+v", ix.References)
				}
			}},
		{"period with open end", `{"resourceType":"Encounter","period":{"start":"2026-11-01"},"class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER"},"length":{"value":90,"unit":"min","system":"http://unitsofmeasure.org","code":"min"}}`,
			func(t *testing.T, ix dsn.Index, key string) {
				want := []dsn.DateKey{{Param: "date", Low: utc(2026, 11, 1, 0, 0, 0), High: DateMax}}
				if !slices.Equal(ix.Dates, want) {
					t.Errorf("dates = %+v", ix.Dates)
				}
				if len(ix.Tokens) != 1 || ix.Tokens[0].Code != "EMER" {
					t.Errorf("class = %+v", ix.Tokens)
				}
				if len(ix.Quantities) != 1 || ix.Quantities[0].Value != 90 {
					t.Errorf("length = %+v", ix.Quantities)
				}
			}},
		{"period ending before it starts", `{"resourceType":"Encounter","period":{"start":"2026","end":"2020"}}`,
			func(t *testing.T, ix dsn.Index, key string) {
				want := []dsn.DateKey{{Param: "date", Low: utc(2021, 1, 1, 0, 0, 0), High: utc(2026, 1, 1, 0, 0, 0)}}
				if !slices.Equal(ix.Dates, want) {
					t.Errorf("dates = %+v", ix.Dates)
				}
			}},
		{"onset as dateTime, not as Age", `{"resourceType":"Condition","onsetDateTime":"2020","subject":{"reference":"Patient/p3"}}`,
			func(t *testing.T, ix dsn.Index, key string) {
				want := []dsn.DateKey{{Param: "onset-date", Low: utc(2020, 1, 1, 0, 0, 0), High: utc(2021, 1, 1, 0, 0, 0)}}
				if !slices.Equal(ix.Dates, want) || len(ix.Quantities) != 0 || key != "p3" {
					t.Errorf("dates = %+v quantities = %+v key %q", ix.Dates, ix.Quantities, key)
				}
			}},
		{"onset as Age", `{"resourceType":"Condition","onsetAge":{"value":45,"unit":"a","system":"http://unitsofmeasure.org","code":"a"}}`,
			func(t *testing.T, ix dsn.Index, key string) {
				if len(ix.Dates) != 0 || len(ix.Quantities) != 1 || ix.Quantities[0].Code != "a" {
					t.Errorf("dates = %+v quantities = %+v", ix.Dates, ix.Quantities)
				}
			}},
		{"timing events and medication choice", `{"resourceType":"MedicationRequest","subject":{"reference":"Patient/p4"},
			"medicationCodeableConcept":{"coding":[{"system":"https://www.canada.ca/dpd","code":"02242963"}]},
			"dosageInstruction":[{"timing":{"event":["2026-11-25T08:00:00Z","2026-11-25T20:00:00Z"]}}]}`,
			func(t *testing.T, ix dsn.Index, key string) {
				if len(ix.Dates) != 2 || len(ix.References) != 2 || key != "p4" {
					t.Errorf("dates = %+v refs = %+v key %q", ix.Dates, ix.References, key)
				}
				if !slices.Contains(ix.Tokens, dsn.TokenKey{Param: "code", System: "https://www.canada.ca/dpd", Code: "02242963"}) {
					t.Errorf("tokens = %+v", ix.Tokens)
				}
			}},
		{"not deceased", `{"resourceType":"Patient","id":"p5","deceasedBoolean":false}`,
			func(t *testing.T, ix dsn.Index, key string) {
				if want := []dsn.TokenKey{{Param: "deceased", Code: "false"}}; !slices.Equal(ix.Tokens, want) || key != "p5" {
					t.Errorf("tokens = %+v key %q", ix.Tokens, key)
				}
			}},
		{"number and money", `{"resourceType":"RiskAssessment","prediction":[{"probabilityDecimal":0.25}]}`,
			func(t *testing.T, ix dsn.Index, key string) {
				if want := []dsn.NumberKey{{Param: "probability", Value: 0.25}}; !slices.Equal(ix.Numbers, want) {
					t.Errorf("numbers = %+v", ix.Numbers)
				}
			}},
		{"money", `{"resourceType":"Claim","total":{"value":12.5,"currency":"CAD"}}`,
			func(t *testing.T, ix dsn.Index, key string) {
				want := []dsn.QuantityKey{{Param: "total", Value: 12.5, Low: 12.5, High: 12.5, System: "urn:iso:std:iso:4217", Code: "CAD"}}
				if !slices.Equal(ix.Quantities, want) {
					t.Errorf("quantities = %+v", ix.Quantities)
				}
			}},
		{"uri", `{"resourceType":"ValueSet","url":"http://example.org/vs"}`,
			func(t *testing.T, ix dsn.Index, key string) {
				if want := []dsn.URIKey{{Param: "url", URI: "http://example.org/vs"}}; !slices.Equal(ix.URIs, want) {
					t.Errorf("uris = %+v", ix.URIs)
				}
			}},
	}
	for _, c := range cases {
		for _, r := range []*registry{typed, untyped} {
			t.Run(c.name, func(t *testing.T) {
				ix, key, err := r.extract(decode(t, c.json))
				if err != nil {
					t.Fatal(err)
				}
				c.check(t, ix, key)
			})
		}
	}
}

func TestExtractErrors(t *testing.T) {
	_, _, err := newTestRegistry().extract(map[string]any{"id": "x"})
	if dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("no resourceType: err = %v", err)
	}
}

func TestUnsupported(t *testing.T) {
	r := newTestRegistry()
	got := r.plan("Patient").unsupported
	want := []string{"age"}
	if !slices.Equal(got, want) {
		t.Errorf("Patient unsupported = %v, want %v", got, want)
	}
	if got := r.plan("Observation").unsupported; !slices.Equal(got, []string{"code-value-quantity"}) {
		t.Errorf("Observation unsupported = %v", got)
	}
}

func BenchmarkExtractObservation(b *testing.B) {
	r := newTestRegistry()
	obj := decode(b, observationJSON)
	r.plan("Observation")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.extract(obj); err != nil {
			b.Fatal(err)
		}
	}
}

func utc(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

// BenchmarkExtractObservationR4 extracts a blood-pressure Observation with
// every R4 Observation parameter (the generated definitions).
func BenchmarkExtractObservationR4(b *testing.B) {
	obj := decode(b, observationJSON)
	if _, _, err := Extract(obj); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Extract(obj); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExtractPatientR4(b *testing.B) {
	obj := decode(b, patientJSON)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Extract(obj); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzExtract feeds arbitrary JSON objects of common resource types to
// Extract: it must never panic and every row must name its parameter.
func FuzzExtract(f *testing.F) {
	f.Add(patientJSON)
	f.Add(observationJSON)
	f.Add(`{"resourceType":"Observation","valueQuantity":"x","subject":[1,{"reference":7}],"code":{"coding":"y"}}`)
	f.Add(`{"resourceType":"Encounter","period":{"start":"2026-11-25T10:00:00Z","end":"2026-11-25T09:00:00+05:00"}}`)
	f.Add(`{"resourceType":"MedicationRequest","dosageInstruction":{"timing":{"event":"2026","repeat":{"boundsPeriod":[]}}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		obj, err := fhir.Decode([]byte(s))
		if err != nil {
			return
		}
		ix, _, err := Extract(obj)
		if err != nil {
			return
		}
		for _, k := range ix.Tokens {
			if k.Param == "" {
				t.Fatalf("token row without parameter: %+v", k)
			}
		}
		for _, k := range ix.Dates {
			if k.Param == "" || k.High.Before(k.Low) {
				t.Fatalf("bad date row %+v", k)
			}
		}
	})
}
