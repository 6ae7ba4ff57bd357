package synth

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"dsn/fhir"
)

// obj is a FHIR JSON object under construction.
type obj = fhir.Object

// Code systems used by the generator. DSN-local systems carry the urn:dsn prefix.
const (
	SysLOINC    = "http://loinc.org"
	SysSNOMED   = "http://snomed.info/sct"
	SysICD10    = "http://hl7.org/fhir/sid/icd-10"
	SysATC      = "http://www.whocc.no/atc"
	SysCVX      = "http://hl7.org/fhir/sid/cvx"
	SysUCUM     = "http://unitsofmeasure.org"
	SysCTAS     = "http://ctas-phctas.ca/CodeSystem/canadian-triage-acuity-scale"
	SysActCode  = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	SysMission  = "urn:dsn:codesystem:mission"
	SysOrigin   = "urn:dsn:codesystem:origine"
	SysEDMode   = "urn:dsn:codesystem:mode-urgence"
	SysImaging  = "urn:dsn:codesystem:examen-imagerie"
	SysRole     = "urn:dsn:codesystem:role-professionnel"
	SysV2_0203  = "http://terminology.hl7.org/CodeSystem/v2-0203"
	SysObsCat   = "http://terminology.hl7.org/CodeSystem/observation-category"
	SysCondCat  = "http://terminology.hl7.org/CodeSystem/condition-category"
	SysClinStat = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	SysVerStat  = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
)

// demoTag marks every generated resource as fictitious (meta.tag).
func demoTag() obj {
	return obj{"tag": []any{obj{"system": SysOrigin, "code": "demo", "display": "DÉMO – données fictives"}}}
}

func coding(system, code, display string) obj {
	c := obj{"system": system, "code": code}
	if display != "" {
		c["display"] = display
	}
	return c
}

// cc is a CodeableConcept with one coding; text is the French label shown to users.
func cc(system, code, display string) obj {
	return obj{"coding": []any{coding(system, code, display)}, "text": display}
}

func ref(typ, id string) obj { return obj{"reference": typ + "/" + id} }

func refD(typ, id, display string) obj {
	return obj{"reference": typ + "/" + id, "display": display}
}

// num renders a decimal with a fixed number of decimals (json.Number keeps it exact).
func num(v float64, decimals int) json.Number {
	return json.Number(strconv.FormatFloat(v, 'f', decimals, 64))
}

func qty(v float64, decimals int, unit string) obj {
	return obj{"value": num(v, decimals), "unit": unit, "system": SysUCUM, "code": unit}
}

// quebecTime renders t as a FHIR dateTime at Québec local time (Eastern time:
// UTC-4 from the second Sunday of March to the first Sunday of November, UTC-5
// otherwise; the rule since 2007). Computed here so output does not depend on
// the machine's time-zone database.
func quebecTime(t time.Time) string {
	t = t.UTC()
	y := t.Year()
	start := nthSunday(y, time.March, 2).Add(7 * time.Hour)  // 02:00 EST = 07:00 UTC
	end := nthSunday(y, time.November, 1).Add(6 * time.Hour) // 02:00 EDT = 06:00 UTC
	off := -5
	if !t.Before(start) && t.Before(end) {
		off = -4
	}
	return t.In(time.FixedZone("", off*3600)).Format("2006-01-02T15:04:05-07:00")
}

func nthSunday(y int, m time.Month, n int) time.Time {
	d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// rng wraps a deterministic PCG source with the few draws the generator needs.
type rng struct{ *rand.Rand }

func newRNG(seed, stream uint64) rng { return rng{rand.New(rand.NewPCG(seed, stream))} }

func (r rng) chance(p float64) bool { return r.Float64() < p }

func (r rng) between(lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// normal draws from N(mean, sd) clipped to [lo, hi].
func (r rng) normal(mean, sd, lo, hi float64) float64 {
	v := mean + sd*r.NormFloat64()
	return min(max(v, lo), hi)
}

func pick[T any](r rng, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted picks an index with probability proportional to w.
func (r rng) weighted(w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.Float64() * total
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

// zipf picks an index in [0,n) favouring the first entries (u^2.2 skews towards
// 0), roughly how surname frequencies fall off.
func (r rng) zipf(n int) int {
	return int(float64(n) * math.Pow(r.Float64(), 2.2))
}

// poisson draws a count with the given mean (Knuth; means here are small).
func (r rng) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
