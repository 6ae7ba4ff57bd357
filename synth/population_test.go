package synth

import (
	"encoding/json"
	"strings"
	"testing"

	"dsn/fhir"
)

// The population looks like Québec's: age structure, sex, NAM coverage, family
// physicians, territories and chronic-disease prevalence by age, within
// tolerances wide enough for sampling noise on 6,000 people.
func TestPopulationShape(t *testing.T) {
	g := New(Options{Seed: 11, Patients: 6000})
	var n, old, female, noNAM, gp, nim float64
	htn := map[string][2]float64{} // age band → (cases, people)
	dm := map[string][2]float64{}
	for i := 0; i < 6000; i++ {
		p := g.newPerson(newRNG(11, uint64(i)), i)
		n++
		if p.age >= 65 {
			old++
		}
		if p.female {
			female++
		}
		if p.nam == "" {
			noNAM++
		}
		if p.gp != nil {
			gp++
		}
		if p.territory == "nim" {
			nim++
		}
		band := "young"
		if p.age >= 60 && p.age < 80 {
			band = "60-79"
		} else if p.age >= 80 {
			band = "80+"
		}
		count(htn, band, p.has("htn"))
		count(dm, band, p.has("dm2"))
	}
	within(t, "65 ans et plus", old/n, 0.17, 0.27)
	within(t, "femmes", female/n, 0.47, 0.55)
	within(t, "sans NAM", noNAM/n, 0.015, 0.05)
	within(t, "avec médecin de famille", gp/n, 0.74, 0.84)
	within(t, "territoire NIM", nim/n, 0.40, 0.50)
	within(t, "HTA 60-79", htn["60-79"][0]/htn["60-79"][1], 0.38, 0.52)
	within(t, "HTA 80+", htn["80+"][0]/htn["80+"][1], 0.52, 0.78)
	within(t, "HTA jeunes", htn["young"][0]/htn["young"][1], 0.03, 0.12)
	within(t, "diabète 60-79", dm["60-79"][0]/dm["60-79"][1], 0.15, 0.26)
}

func count(m map[string][2]float64, k string, yes bool) {
	v := m[k]
	v[1]++
	if yes {
		v[0]++
	}
	m[k] = v
}

func within(t *testing.T, what string, v, lo, hi float64) {
	t.Helper()
	if v < lo || v > hi {
		t.Errorf("%s: %.3f outside [%.2f, %.2f]", what, v, lo, hi)
	}
}

// Diabetics' HbA1c runs higher than everyone else's.
func TestHbA1cHigherForDiabetics(t *testing.T) {
	g := New(Options{Seed: 5, Patients: 1500})
	sum := map[bool][2]float64{}
	g.Each(func(p *Person) error {
		diabetic := false
		for _, r := range p.Resources {
			if fhir.ResourceType(r) == "Condition" && strings.Contains(string(fhir.Encode(r)), `"E11"`) {
				diabetic = true
			}
		}
		for _, r := range p.Resources {
			code := r["code"]
			if fhir.ResourceType(r) != "Observation" || !strings.Contains(string(fhir.Encode(code)), `"4548-4"`) {
				continue
			}
			v, _ := r["valueQuantity"].(fhir.Object)["value"].(json.Number).Float64()
			s := sum[diabetic]
			sum[diabetic] = [2]float64{s[0] + v, s[1] + 1}
		}
		return nil
	})
	d, o := sum[true], sum[false]
	if d[1] < 10 || o[1] < 10 {
		t.Fatalf("too few HbA1c results: diabetics %v others %v", d, o)
	}
	if d[0]/d[1] < o[0]/o[1]+1 {
		t.Fatalf("mean HbA1c diabetics %.2f vs others %.2f: want at least 1 point higher", d[0]/d[1], o[0]/o[1])
	}
}

// Planted duplicates: every Patient record has exactly one truth line naming
// its person, about 5 % of people have several records, the noise shows in
// the records, and every clinical resource points at a record of its own person.
func TestDuplicatesAndTruth(t *testing.T) {
	g := New(Options{Seed: 9, Patients: 2000})
	var multi, records int
	seen := map[string]bool{}
	g.Each(func(p *Person) error {
		mine := map[string]bool{}
		for _, tr := range p.Truth {
			if tr.Person != p.ID || seen[tr.Record] {
				t.Fatalf("bad truth line %+v for %s", tr, p.ID)
			}
			seen[tr.Record], mine[tr.Record] = true, true
		}
		if len(p.Truth) > 1 {
			multi++
		}
		main := p.Resources[0]
		for _, r := range p.Resources {
			body := string(fhir.Encode(r))
			if fhir.ResourceType(r) == "Patient" {
				records++
				if !mine["Patient/"+fhir.ID(r)] {
					t.Fatalf("Patient %s has no truth line", fhir.ID(r))
				}
				checkNoise(t, p, main, r)
				continue
			}
			for _, key := range []string{"subject", "patient"} {
				if ref, ok := r[key].(fhir.Object); ok && !mine[ref["reference"].(string)] {
					t.Fatalf("%s of %s points at %v, not one of its records: %s", key, p.ID, ref, body)
				}
			}
		}
		return nil
	})
	within(t, "personnes avec doublons", float64(multi)/2000, 0.03, 0.075)
	if records != len(seen) {
		t.Fatalf("%d Patient records but %d truth lines", records, len(seen))
	}
}

func checkNoise(t *testing.T, p *Person, main, dup fhir.Object) {
	t.Helper()
	var noise []string
	for _, tr := range p.Truth {
		if tr.Record == "Patient/"+fhir.ID(dup) {
			noise = tr.Noise
		}
	}
	for _, n := range noise {
		switch n {
		case "sans-nam":
			if strings.Contains(string(fhir.Encode(dup["identifier"])), "JHN") {
				t.Fatalf("record %s marked sans-nam still has a NAM", fhir.ID(dup))
			}
		case "jour-mois":
			if dup["birthDate"] == main["birthDate"] {
				t.Fatalf("record %s marked jour-mois has the same birth date", fhir.ID(dup))
			}
		case "accents":
			if strings.ContainsAny(string(fhir.Encode(dup["name"])), "éèêàçôîÉ") {
				t.Fatalf("record %s marked accents still has accents", fhir.ID(dup))
			}
		}
	}
}

// BenchmarkGenerate measures the generation rate (people and resources per
// second, encoded to JSON as dsn synth writes them).
func BenchmarkGenerate(b *testing.B) {
	g := New(Options{Seed: 1, Patients: 100000})
	res := 0
	for i := 0; b.Loop(); i++ {
		for _, r := range g.Person(i).Resources {
			_ = fhir.Encode(r)
			res++
		}
	}
	b.ReportMetric(float64(res)/b.Elapsed().Seconds(), "resources/s")
}
