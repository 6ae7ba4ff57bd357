package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"dsn/mpi"
)

// gen makes synthetic resources from a seeded source: the same seed gives the
// same data (DESIGN.md §5.4, randomness injected).
type gen struct {
	r    *rand.Rand
	base time.Time // "now" of the synthetic record, fixed so that data repeat
}

func newGen(seed uint64, stream int) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, uint64(stream))),
		base: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// uuid returns a version-4-shaped UUID from the seeded source.
func (g *gen) uuid() string {
	a, b := g.r.Uint64(), g.r.Uint64()
	a = a&^0xf000 | 0x4000
	b = b&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// patient returns a Patient without id: NAM, name, birth date, telecom, address.
func (g *gen) patient() map[string]any {
	female := g.r.IntN(2) == 0
	given := g.pick(givenMale)
	gender := "male"
	if female {
		given, gender = g.pick(givenFemale), "female"
	}
	family := g.pick(families)
	birth := time.Date(1930+g.r.IntN(91), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC)
	pl := places[g.r.IntN(len(places))]
	return map[string]any{
		"resourceType": "Patient",
		"active":       true,
		"identifier": []any{map[string]any{
			"system": mpi.NAMSystem, "value": mustNAM(family, given, birth, female, byte('1'+g.r.IntN(9))),
			"type": map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "JHN"}}, "text": "NAM"},
		}},
		"name":      []any{map[string]any{"use": "official", "family": family, "given": []any{given}}},
		"gender":    gender,
		"birthDate": birth.Format("2006-01-02"),
		"telecom": []any{map[string]any{"system": "phone", "use": "home",
			"value": fmt.Sprintf("%s-555-%04d", pl.area, g.r.IntN(10000))}},
		"address": []any{map[string]any{
			"line":       []any{fmt.Sprintf("%d %s", 1+g.r.IntN(3000), g.pick(streets))},
			"city":       pl.city,
			"state":      "QC",
			"postalCode": pl.postal + " " + g.postalTail(),
			"country":    "CA",
		}},
		"communication": []any{map[string]any{"language": map[string]any{"coding": []any{map[string]any{
			"system": "urn:ietf:bcp:47", "code": "fr-CA"}}}, "preferred": true}},
	}
}

// postalTail is the local delivery unit of a Canadian postal code: digit letter digit.
func (g *gen) postalTail() string {
	const letters = "ABCEGHJKLMNPRSTVWXYZ"
	return string([]byte{'0' + byte(g.r.IntN(10)), letters[g.r.IntN(len(letters))], '0' + byte(g.r.IntN(10))})
}

// Bundle sizes: 1 Patient + 2 Encounters + 17 Observations + 3 Conditions +
// 3 MedicationRequests.
const (
	bundleEncounters   = 2
	bundleObservations = 17
	bundleConditions   = 3
	bundleMedications  = 3
	bundleResources    = 1 + bundleEncounters + bundleObservations + bundleConditions + bundleMedications
)

// transaction returns a transaction Bundle of one Patient and its clinical
// record, linked by urn:uuid references (http.html#trules resolves them).
func (g *gen) transaction() map[string]any {
	var entries []any
	add := func(res map[string]any) string {
		full := "urn:uuid:" + g.uuid()
		entries = append(entries, map[string]any{"fullUrl": full, "resource": res,
			"request": map[string]any{"method": "POST", "url": res["resourceType"]}})
		return full
	}
	pat := add(g.patient())
	var encs []string
	var starts []time.Time
	for range bundleEncounters {
		start := g.base.Add(-time.Duration(g.r.IntN(5*365*24)) * time.Hour)
		starts = append(starts, start)
		encs = append(encs, add(g.encounter(pat, start)))
	}
	for i := range bundleObservations {
		e := i % bundleEncounters
		add(g.observation(pat, encs[e], starts[e].Add(time.Duration(10+i)*time.Minute)))
	}
	for i := range bundleConditions {
		add(g.condition(pat, encs[i%bundleEncounters], starts[i%bundleEncounters]))
	}
	for i := range bundleMedications {
		add(g.medicationRequest(pat, encs[i%bundleEncounters], starts[i%bundleEncounters]))
	}
	return map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries}
}

func ref(full string) map[string]any { return map[string]any{"reference": full} }

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (g *gen) encounter(pat string, start time.Time) map[string]any {
	class := encounterClasses[g.r.IntN(len(encounterClasses))]
	return map[string]any{
		"resourceType": "Encounter",
		"status":       "finished",
		"class":        map[string]any{"system": actCodeSys, "code": class.code, "display": class.display},
		"subject":      ref(pat),
		"period": map[string]any{"start": instant(start),
			"end": instant(start.Add(time.Duration(30+g.r.IntN(600)) * time.Minute))},
	}
}

func (g *gen) observation(pat, enc string, at time.Time) map[string]any {
	m := measures[g.r.IntN(len(measures))]
	p := math.Pow(10, float64(m.decimals))
	v := math.Round((m.low+g.r.Float64()*(m.high-m.low))*p) / p
	return map[string]any{
		"resourceType": "Observation",
		"status":       "final",
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": obsCatSys, "code": m.category}}}},
		"code": map[string]any{"coding": []any{map[string]any{
			"system": loinc, "code": m.loinc, "display": m.display}}},
		"subject":           ref(pat),
		"encounter":         ref(enc),
		"effectiveDateTime": instant(at),
		"valueQuantity": map[string]any{"value": jsonNumber(v, m.decimals), "unit": m.unit,
			"system": ucum, "code": m.unit},
	}
}

func (g *gen) condition(pat, enc string, at time.Time) map[string]any {
	c := conditions[g.r.IntN(len(conditions))]
	return map[string]any{
		"resourceType": "Condition",
		"clinicalStatus": map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}}},
		"verificationStatus": map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}}},
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item"}}}},
		"code":          map[string]any{"coding": []any{map[string]any{"system": snomed, "code": c.code}}, "text": c.display},
		"subject":       ref(pat),
		"encounter":     ref(enc),
		"onsetDateTime": at.Add(-time.Duration(g.r.IntN(3650)) * 24 * time.Hour).Format("2006-01-02"),
		"recordedDate":  instant(at),
	}
}

func (g *gen) medicationRequest(pat, enc string, at time.Time) map[string]any {
	m := medications[g.r.IntN(len(medications))]
	return map[string]any{
		"resourceType": "MedicationRequest",
		"status":       "active",
		"intent":       "order",
		"medicationCodeableConcept": map[string]any{"coding": []any{map[string]any{
			"system": atc, "code": m.code}}, "text": m.display},
		"subject":           ref(pat),
		"encounter":         ref(enc),
		"authoredOn":        instant(at),
		"dosageInstruction": []any{map[string]any{"text": "1 comprimé " + g.pick([]string{"une fois par jour", "deux fois par jour", "au coucher"})}},
	}
}

// jsonNumber writes v with the measure's decimals, as FHIR decimals keep them.

func jsonNumber(v float64, decimals int) rawNumber {
	return rawNumber(strconv.FormatFloat(v, 'f', decimals, 64))
}

// rawNumber marshals as a JSON number written exactly as given.
type rawNumber string

// MarshalJSON writes the number's text.
func (n rawNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }
