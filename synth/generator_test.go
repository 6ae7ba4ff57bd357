package synth

import (
	"bytes"
	"errors"
	"testing"

	"dsn/fhir"
	"dsn/mpi"
)

func small() Options { return Options{Seed: 7, Patients: 300} }

// Every generated resource is valid FHIR R4 once encoded and decoded, as the
// server will see it.
func TestResourcesValidate(t *testing.T) {
	g := New(small())
	check := func(res fhir.Object) {
		obj, err := fhir.Decode(fhir.Encode(res))
		if err == nil {
			err = fhir.Validate(obj)
		}
		if err != nil {
			t.Fatalf("%s/%s: %v\n%s", fhir.ResourceType(res), fhir.ID(res), err, fhir.Encode(res))
		}
	}
	for _, r := range g.Network() {
		check(r)
	}
	types := map[string]int{}
	g.Each(func(p *Person) error {
		for _, r := range p.Resources {
			check(r)
			types[fhir.ResourceType(r)]++
		}
		return nil
	})
	for _, want := range []string{"Patient", "Encounter", "Observation", "Condition", "MedicationRequest",
		"MedicationAdministration", "AllergyIntolerance", "Immunization", "ServiceRequest", "DiagnosticReport",
		"DocumentReference", "EpisodeOfCare"} {
		if types[want] == 0 {
			t.Errorf("no %s generated for 300 people: %v", want, types)
		}
	}
}

// Same seed and options → byte-identical output; another seed differs.
func TestDeterministic(t *testing.T) {
	dump := func(o Options) []byte {
		var buf bytes.Buffer
		g := New(o)
		for _, r := range g.Network() {
			buf.Write(fhir.Encode(r))
		}
		g.Each(func(p *Person) error {
			buf.Write(TransactionBundle(p.Resources))
			return nil
		})
		return buf.Bytes()
	}
	o := Options{Seed: 3, Patients: 50}
	a, b := dump(o), dump(o)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	o.Seed = 4
	if bytes.Equal(a, dump(o)) {
		t.Fatal("a different seed gave the same output")
	}
}

// NAMs are valid and agree with the main Patient record's demographics.
func TestNAMs(t *testing.T) {
	g := New(small())
	with := 0
	g.Each(func(p *Person) error {
		if p.NAM == "" {
			return nil
		}
		with++
		n, err := mpi.ParseNAM(p.NAM, g.Options().RefDate)
		if err != nil {
			t.Fatalf("%s: invalid NAM %s: %v", p.ID, p.NAM, err)
		}
		pat := p.Resources[0]
		if pat["birthDate"] != n.BirthDate.Format("2006-01-02") {
			t.Fatalf("%s: NAM %s birth %s, Patient.birthDate %v", p.ID, p.NAM, n.BirthDate, pat["birthDate"])
		}
		return nil
	})
	if share := float64(with) / 300; share < 0.93 || share > 0.995 {
		t.Fatalf("%.1f %% of people have a NAM, want about 97 %%", share*100)
	}
}

// EachParallel delivers the same people in the same order as Each.
func TestEachParallelKeepsOrder(t *testing.T) {
	g := New(Options{Seed: 2, Patients: 200})
	var a, b bytes.Buffer
	g.Each(func(p *Person) error { a.Write(TransactionBundle(p.Resources)); return nil })
	if err := g.EachParallel(3, func(p *Person) error { b.Write(TransactionBundle(p.Resources)); return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("EachParallel output differs from Each")
	}
	stopAt := errors.New("stop")
	n := 0
	err := g.EachParallel(3, func(p *Person) error {
		if n++; n == 10 {
			return stopAt
		}
		return nil
	})
	if err != stopAt || n != 10 {
		t.Fatalf("EachParallel after an error: err %v, %d calls; want stop after 10", err, n)
	}
}

// Every reference resolves to a network resource or to one of the person's own
// resources, so a store that checks referential integrity accepts the load.
func TestReferencesResolve(t *testing.T) {
	g := New(Options{Seed: 8, Patients: 300})
	known := map[string]bool{}
	for _, r := range g.Network() {
		known[fhir.ResourceType(r)+"/"+fhir.ID(r)] = true
	}
	for _, r := range g.Network() {
		checkRefs(t, r, known)
	}
	g.Each(func(p *Person) error {
		mine := map[string]bool{}
		for k := range known {
			mine[k] = true
		}
		for _, r := range p.Resources {
			mine[fhir.ResourceType(r)+"/"+fhir.ID(r)] = true
		}
		for _, r := range p.Resources {
			checkRefs(t, r, mine)
		}
		return nil
	})
}

func checkRefs(t *testing.T, v any, known map[string]bool) {
	t.Helper()
	switch x := v.(type) {
	case fhir.Object:
		if ref, ok := x["reference"].(string); ok && !known[ref] {
			t.Fatalf("dangling reference %s", ref)
		}
		for _, e := range x {
			checkRefs(t, e, known)
		}
	case []any:
		for _, e := range x {
			checkRefs(t, e, known)
		}
	}
}

// The Luhn check digit of the textbook example 7992739871 is 3.
func TestLuhn(t *testing.T) {
	if got := luhn("7992739871"); got != "79927398713" {
		t.Fatalf("luhn(7992739871) = %s, want 79927398713", got)
	}
}
