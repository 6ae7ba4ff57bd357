package mpi

import (
	"dsn/internal/language/words"
	"strings"
	"testing"

	"dsn/fhir"
)

func mustPatient(t *testing.T, js string) fhir.Object {
	t.Helper()
	p, err := fhir.Decode([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// An unknown trauma patient and a newborn before its NAM are temporary
// identities: their placeholder names are not matched, and nothing links
// them automatically even when every other field agrees.
func TestTemporaryIdentityNeverCertain(t *testing.T) {
	m := matcher(t)
	cases := map[string]string{
		"use temp":   `{"resourceType":"Patient","name":[{"use":"temp","family":"Tremblay","given":["Jean"]}],"birthDate":"1981-01-01","gender":"male"}`,
		"anonymous":  `{"resourceType":"Patient","name":[{"use":"anonymous","text":"Trauma 2026-05-09 03:12"}],"birthDate":"1981-01-01","gender":"male"}`,
		"inconnu":    `{"resourceType":"Patient","name":[{"family":"Inconnu","given":["Homme"]}],"birthDate":"1981-01-01","gender":"male"}`,
		"newborn":    `{"resourceType":"Patient","name":[{"family":"Tremblay","given":["Bébé","fille"]}],"birthDate":"2026-11-30","gender":"female"}`,
		"nouveau-né": `{"resourceType":"Patient","name":[{"family":"Tremblay","given":["Nouveau-né"]}],"birthDate":"2026-11-30","gender":"female"}`,
		"no name":    `{"resourceType":"Patient","birthDate":"1981-01-01","gender":"male"}`,
	}
	for name, js := range cases {
		r := FromPatient(mustPatient(t, js))
		if !r.Temporary || len(r.Family) != 0 || len(r.Given) != 0 {
			t.Errorf("%s: temporary %v, family %v, given %v", name, r.Temporary, r.Family, r.Given)
		}
	}
	// A real name next to a temporary one: the person is known.
	r := FromPatient(mustPatient(t, `{"resourceType":"Patient","name":[{"use":"temp","family":"Inconnu"},`+
		`{"use":"official","family":"Tremblay","given":["Jean"]}],"birthDate":"1981-01-01"}`))
	if r.Temporary || len(r.Family) != 1 || r.Family[0] != "Tremblay" {
		t.Errorf("official name beside a temporary one: %+v", r)
	}

	// Everything agrees but the name is a placeholder: review at most.
	a := person("Tremblay", "Jean", "1981-01-01", "male", "")
	b := a
	b.Temporary = true
	res := m.Score(a, b)
	if res.Class == Certain || !ruleSays(res.Rules, "identité temporaire") {
		t.Errorf("temporary pair: class %v (%.1f), rules %v", res.Class, res.Total, res.Rules)
	}
	// Even a shared NAM (a newborn served on a parent's card, quebec.md §1.1) does not link it.
	b.NAM = mustNAM(t, "Tremblay", "Jean", 1981, 1, 1, false, '1')
	a.NAM = b.NAM
	if res := m.Score(b, a); res.Class == Certain {
		t.Errorf("temporary identity with a shared NAM linked: %.1f %v", res.Total, res.Rules)
	}
	// The same pair, both known: certain (the rule, not the score, held it back).
	b.Temporary = false
	if res := m.Score(a, b); res.Class != Certain {
		t.Errorf("known pair: class %v (%.1f) %v", res.Class, res.Total, res.Rules)
	}
}

// Placeholder names do not pull unknown patients together either: two
// « Inconnu » with the same estimated birth date stay apart.
func TestTwoUnknownPatientsNotLinked(t *testing.T) {
	ix := NewIndex(matcher(t))
	js := `{"resourceType":"Patient","id":"%s","name":[{"family":"Inconnu","given":["Homme"]}],"birthDate":"1960-01-01","gender":"male",` +
		`"address":[{"line":["1 rue Principale"],"postalCode":"G9A 5H7"}]}`
	ix.Add(FromPatient(mustPatient(t, strings.Replace(js, "%s", "u1", 1))))
	q := FromPatient(mustPatient(t, strings.Replace(js, "%s", "u2", 1)))
	for _, c := range ix.Match(q, 10) {
		if c.Result.Class == Certain {
			t.Fatalf("two unknown patients certain: %+v", c.Result)
		}
	}
}

// Other provinces' health numbers and several chart numbers per person are
// compared as identifiers of their issuer: a number in common is strong
// evidence; two numbers from one issuer are a mild disagreement.
func TestOtherProvinceAndChartNumbers(t *testing.T) {
	m := matcher(t)
	on := "https://fhir.infoway-inforoute.ca/NamingSystem/ca-on-patient-hcn"
	p := FromPatient(mustPatient(t, `{"resourceType":"Patient","name":[{"family":"Smith","given":["Anne"]}],"birthDate":"1990-05-06","identifier":[`+
		`{"system":"`+on+`","value":"1234567890"},`+
		`{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"urn:dsn:mrn","value":"A1","assigner":{"display":"CHAUR"}},`+
		`{"type":{"coding":[{"code":"MR"}]},"system":"urn:dsn:mrn","value":"B7","assigner":{"display":"CHRTR"}}]}`))
	if len(p.Identifiers) != 3 || !p.Identifiers[0].Jurisdictional || p.Identifiers[1].Jurisdictional {
		t.Fatalf("identifiers: %+v", p.Identifiers)
	}
	// Same Ontario card, other name spelling and a day/month swap: found through the card.
	q := FromPatient(mustPatient(t, `{"resourceType":"Patient","name":[{"family":"Smyth","given":["Ann"]}],"birthDate":"1990-06-05",`+
		`"identifier":[{"system":"`+on+`","value":"1234567890"}]}`))
	if r := m.Score(p, q); r.Fields[FieldMRN].Level != "same" {
		t.Errorf("same Ontario card: %v", r.Fields[FieldMRN])
	}
	ix := NewIndex(m)
	p.ID = "p"
	ix.Add(p)
	if c := ix.Match(q, 5); len(c) == 0 || c[0].ID != "p" {
		t.Errorf("Ontario card not used for blocking: %+v", c)
	}
	// The second chart number of one site matches a registration holding only that one.
	r2 := FromPatient(mustPatient(t, `{"resourceType":"Patient","name":[{"family":"Smith","given":["Anne"]}],"birthDate":"1990-05-06",`+
		`"identifier":[{"type":{"coding":[{"code":"MR"}]},"system":"urn:dsn:mrn","value":"B7","assigner":{"display":"CHRTR"}}]}`))
	if r := m.Score(p, r2); r.Fields[FieldMRN].Level != "same" || r.Class != Certain {
		t.Errorf("second chart number: %v, %v %.1f", r.Fields[FieldMRN], r.Class, r.Total)
	}
	// Another Ontario number: different.
	r3 := FromPatient(mustPatient(t, `{"resourceType":"Patient","name":[{"family":"Smith","given":["Anne"]}],"birthDate":"1990-05-06",`+
		`"identifier":[{"system":"`+on+`","value":"9999999999"}]}`))
	if r := m.Score(p, r3); r.Fields[FieldMRN].Level != "different" {
		t.Errorf("other Ontario number: %v", r.Fields[FieldMRN])
	}
}

func ruleSays(rules []words.Text, s string) bool {
	for _, r := range rules {
		if strings.Contains(r.FR, s) {
			return true
		}
	}
	return false
}
