package mpi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"dsn/fhir"
)

func matcher(t testing.TB) *Matcher {
	m, err := NewMatcher(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func person(family, given, dob, sex, nam string) Record {
	return Record{Family: []string{family}, Given: []string{given}, BirthDate: dob, Sex: sex, NAM: nam,
		Addresses: []Address{{Line: "1234, rue des Forges", City: "Trois-Rivières", PostalCode: "G9A 2H5"}},
		Phones:    []string{"819-555-1234"}}
}

func mustNAM(t testing.TB, fam, given string, y, m, d int, female bool, diff byte) string {
	n, err := MakeNAM(fam, given, day(y, m, d), female, diff)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSamePersonIsCertain(t *testing.T) {
	m := matcher(t)
	nam := mustNAM(t, "Côté", "Hélène", 1972, 8, 12, true, '1')
	a := person("Côté", "Hélène", "1972-08-12", "female", nam)
	b := person("COTE", "Helene", "1972-12-08", "female", "") // accents dropped, day/month swapped, no card
	r := m.Score(a, b)
	if r.Class != Certain {
		t.Fatalf("class %v (%.1f), want certain:\n%v", r.Class, r.Total, r.Fields)
	}
	if r.Fields[FieldBirthDate].Level != "swap" || r.Fields[FieldNAM].Level != "consistent" {
		t.Errorf("explanation: %v", r.Fields)
	}
	if !strings.Contains(r.Fields[FieldBirthDate].String(), "jour et mois inversés") {
		t.Errorf("French explanation missing: %s", r.Fields[FieldBirthDate])
	}
}

func TestTwinsNeverCertain(t *testing.T) {
	m := matcher(t)
	a := person("Tremblay", "Marie-Ève", "2001-04-03", "female", mustNAM(t, "Tremblay", "Marie-Ève", 2001, 4, 3, true, '1'))
	b := person("Tremblay", "Marie-Josée", "2001-04-03", "female", mustNAM(t, "Tremblay", "Marie-Josée", 2001, 4, 3, true, '2'))
	if r := m.Score(a, b); r.Class == Certain || len(r.Rules) == 0 {
		t.Errorf("twins: class %v, rules %v", r.Class, r.Rules)
	}
	a.NAM, b.NAM = "", "" // no card: address, phone, family and birth date all agree
	r := m.Score(a, b)
	if r.Class == Certain || len(r.Rules) == 0 {
		t.Errorf("twins without NAM: class %v (%.1f), rules %v", r.Class, r.Total, r.Rules)
	}
}

func TestParentAndChildNeverCertain(t *testing.T) {
	m := matcher(t)
	a := person("Gagnon", "Pierre", "1965-03-05", "male", "")
	b := person("Gagnon", "Pierre", "1992-03-05", "male", "")
	if r := m.Score(a, b); r.Class == Certain || len(r.Rules) == 0 {
		t.Errorf("parent/child: class %v (%.1f), rules %v", r.Class, r.Total, r.Rules)
	}
	a.Family, b.Family = []string{"Gagnon père"}, []string{"Gagnon fils"}
	b.BirthDate = a.BirthDate
	if r := m.Score(a, b); r.Class == Certain {
		t.Errorf("père/fils: class %v", r.Class)
	}
}

func TestDifferentValidNAMsNeverCertain(t *testing.T) {
	m := matcher(t)
	a := person("Roy", "Luc", "1980-01-02", "male", mustNAM(t, "Roy", "Luc", 1980, 1, 2, false, '1'))
	b := a
	b.NAM = mustNAM(t, "Roy", "Luc", 1980, 1, 2, false, '2')
	if r := m.Score(a, b); r.Class == Certain {
		t.Errorf("two valid NAMs: class %v", r.Class)
	}
}

// Common names with different birth dates must not link, even with frequency
// weights computed on an index full of them.
func TestCommonNamesDoNotLink(t *testing.T) {
	x := NewIndex(matcher(t))
	for i := 0; i < 1500; i++ {
		r := person("Tremblay", "Marie", fmt.Sprintf("19%02d-%02d-%02d", 30+i%60, 1+i%12, 1+i%28), "female", "")
		r.ID = fmt.Sprint("r", i)
		r.Addresses[0].PostalCode = fmt.Sprintf("G9A %dB%d", i%10, i%7)
		r.Addresses[0].Line = fmt.Sprint(i, ", rue X")
		r.Phones = []string{fmt.Sprintf("819-555-%04d", i)}
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	q := person("Tremblay", "Marie", "1955-06-15", "female", "")
	q.Addresses, q.Phones = nil, nil
	for _, c := range x.Match(q, 10) {
		if born := c.Result.Fields[FieldBirthDate].B; c.Result.Class != NoMatch && born != q.BirthDate {
			t.Errorf("Marie Tremblay born %s linked to one born %s: %v", q.BirthDate, born, c.Result.Class)
		}
	}
	same := person("Tremblay", "Marie", "1935-06-06", "female", "")
	same.Addresses, same.Phones = nil, nil
	r := x.Match(same, 3)
	if len(r) == 0 || r[0].Result.Class == Certain {
		t.Errorf("name and birth date alone, common name: want at most probable, got %+v", r)
	}
}

func TestFromPatient(t *testing.T) {
	body := `{"resourceType":"Patient","id":"p1","birthDate":"1972-08-12","gender":"female",
	 "name":[{"use":"official","family":"Gagnon","given":["Marie","Josée"]},{"use":"maiden","family":"Côté"}],
	 "identifier":[{"system":"` + NAMSystem + `","value":"GAGM72581219"},
	  {"type":{"coding":[{"code":"MR"}]},"system":"urn:mrn","value":"123","assigner":{"display":"HSCM"}}],
	 "address":[{"line":["12, rue X","app. 3"],"city":"Laval","postalCode":"H7N 1A1"}],
	 "telecom":[{"system":"phone","value":"450-555-0000"},{"system":"email","value":"a@b.c"}]}`
	p, err := fhir.Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	r := FromPatient(p)
	want := Record{ID: "p1", Family: []string{"Gagnon", "Côté"}, Given: []string{"Marie", "Josée"}, BirthDate: "1972-08-12",
		Sex: "female", NAM: "GAGM72581219", Identifiers: []Identifier{{System: "urn:mrn", Value: "123", Type: "MR", Assigner: "HSCM"}},
		Addresses: []Address{{Line: "12, rue X app. 3", City: "Laval", PostalCode: "H7N 1A1"}}, Phones: []string{"450-555-0000"}}
	got, _ := json.Marshal(r)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Errorf("FromPatient:\n got %s\nwant %s", got, exp)
	}
}

func TestConfigJSONRoundTripAndEM(t *testing.T) {
	c, err := ParseConfig(DefaultConfig().JSON())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseConfig([]byte(`{"fields":[]}`)); err == nil {
		t.Error("a model without fields was accepted")
	}
	g := genPopulation(3000, 7)
	x := NewIndex(matcher(t))
	for _, r := range g.records {
		_ = x.Add(r)
	}
	est, share := x.Estimate(c, 50000)
	if share <= 0.01 || share >= 0.5 {
		t.Errorf("estimated match share %.3f among candidates", share)
	}
	if m := est.Fields[FieldBirthDate].Levels[0].M; m < 0.8 {
		t.Errorf("EM m(birth date exact) = %.3f, want ≥ 0.8", m)
	}
	if u := est.Fields[FieldBirthDate].Levels[0].U; u > 0.5 {
		t.Errorf("u(birth date exact) among candidates = %.5f, want below m", u)
	}
	ru := x.RandomU(c, 100000, rngFor(3))
	if u := ru.Fields[FieldBirthDate].Levels[0].U; u > 0.001 {
		t.Errorf("random-pair u(birth date exact) = %.5f, want small", u)
	}
	if _, err := NewMatcher(est); err != nil {
		t.Errorf("estimated model rejected: %v", err)
	}
}

func TestIndexAddReplaceRemove(t *testing.T) {
	x := NewIndex(matcher(t))
	a := person("Lafontaine", "Luc", "1990-02-03", "male", "")
	a.ID = "a"
	b := person("de La Fontaine", "Luc", "1990-02-03", "male", "")
	b.ID = "b"
	_ = x.Add(a)
	_ = x.Add(b)
	if got := x.Candidates(a); len(got) != 1 || got[0] != "b" {
		t.Fatalf("candidates of a: %v", got)
	}
	if r := x.Match(a, 5); len(r) != 1 || r[0].Result.Class != Certain {
		t.Fatalf("match: %+v", r)
	}
	b.BirthDate = "1950-07-08"
	b.Given = []string{"Paul"}
	_ = x.Add(b) // replaces b
	if r := x.Match(a, 5); len(r) != 1 || r[0].Result.Fields[FieldBirthDate].B != "1950-07-08" || r[0].Result.Class == Certain {
		t.Errorf("after replacing b: %+v", r)
	}
	if !x.Remove("b") || x.Len() != 1 || len(x.Candidates(a)) != 0 {
		t.Errorf("after Remove: len %d, candidates %v", x.Len(), x.Candidates(a))
	}
	if err := x.Add(Record{}); err == nil {
		t.Error("a record without ID was indexed")
	}
}
