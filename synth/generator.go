// Package synth generates a synthetic Québec population as FHIR R4 resources:
// the two CIUSSS of the first region with their installations and staff, and
// people with valid NAMs, addresses, clinical histories and planted duplicate
// registrations whose truth is written aside. Output is deterministic: the same
// Options give byte-identical resources. See README.md.
package synth

import (
	"fmt"
	"time"

	"dsn/fhir"
)

// Options are the knobs of the generator.
type Options struct {
	Seed          uint64    // same seed and options → same output
	Patients      int       // number of people
	RefDate       time.Time // "today" of the population (default 2026-11-01); no clock is read
	DuplicateRate float64   // share of people with extra Patient records (default 0.05; negative: none)
	NoNAMRate     float64   // share of people without a NAM (default 0.03)
	HistoryYears  int       // length of the clinical history (default 3)
	// RegistrationsOnly leaves the clinical history out: each person is its
	// Patient records only, exactly as with the history (identity work at a
	// million records, where generating the history would dominate).
	RegistrationsOnly bool
}

func (o Options) withDefaults() Options {
	if o.RefDate.IsZero() {
		o.RefDate = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	o.RefDate = time.Date(o.RefDate.Year(), o.RefDate.Month(), o.RefDate.Day(), 0, 0, 0, 0, time.UTC)
	if o.DuplicateRate == 0 {
		o.DuplicateRate = 0.05
	}
	if o.NoNAMRate == 0 {
		o.NoNAMRate = 0.03
	}
	if o.HistoryYears == 0 {
		o.HistoryYears = 3
	}
	return o
}

// Generator produces the network once and then people one at a time. It is
// safe for concurrent use: Person(i) depends only on the options and i.
type Generator struct {
	opt  Options
	net  *network
	nams namPass // differentiators changed so that no two people share a NAM
}

// New prepares a generator (it builds the network, whose size depends on Patients).
func New(o Options) *Generator {
	o = o.withDefaults()
	return &Generator{opt: o, net: buildNetwork(o)}
}

// Options returns the options with their defaults filled in.
func (g *Generator) Options() Options { return g.opt }

// Network returns the Organizations, Locations, Practitioners and
// PractitionerRoles every person refers to; load it before the people.
func (g *Generator) Network() []fhir.Object {
	out := make([]fhir.Object, len(g.net.resources))
	for i, r := range g.net.resources {
		out[i] = tagged(r)
	}
	return out
}

// Truth links one Patient record to the person it belongs to.
type Truth struct {
	Record string   `json:"record"` // "Patient/pat-0000042-2"
	Person string   `json:"person"` // "P0000042"
	Noise  []string `json:"noise,omitempty"`
}

// Person is everything generated for one person.
type Person struct {
	ID        string        // truth key
	NAM       string        // "" when the person has no NAM
	Resources []fhir.Object // Patient records first, then the clinical history
	Truth     []Truth       // one line per Patient record
	encoded   [][]byte      // filled by EachParallel's workers
}

// Encoded returns the resources as compact JSON (fhir.Encode), in order. People
// delivered by EachParallel were encoded by the workers, off the caller's goroutine.
func (p *Person) Encoded() [][]byte {
	if p.encoded == nil {
		p.encoded = make([][]byte, len(p.Resources))
		for i, r := range p.Resources {
			p.encoded[i] = fhir.Encode(r)
		}
	}
	return p.encoded
}

// Person generates person i (0 ≤ i < Patients).
func (g *Generator) Person(i int) *Person {
	r := newRNG(g.opt.Seed, uint64(i))
	p := g.newPerson(r, i)
	b := &builder{g: g, r: r, p: p, patientAt: map[string]string{},
		windowFrom: g.opt.RefDate.AddDate(-g.opt.HistoryYears, 0, 0)}
	out := &Person{ID: p.id, NAM: p.nam}
	for k, rec := range b.records() {
		if k == 0 {
			b.primary = rec.id
		} else {
			b.patientAt[rec.site] = rec.id
		}
		b.emit(b.patientResource(rec))
		out.Truth = append(out.Truth, Truth{Record: "Patient/" + rec.id, Person: p.id, Noise: rec.noise})
	}
	if !g.opt.RegistrationsOnly {
		b.life()
	}
	for _, res := range b.out {
		out.Resources = append(out.Resources, tagged(res))
	}
	return out
}

// Each generates the people in order, calling fn for each; it stops at the
// first error. Only one person is in memory at a time.
func (g *Generator) Each(fn func(*Person) error) error {
	for i := 0; i < g.opt.Patients; i++ {
		if err := fn(g.Person(i)); err != nil {
			return err
		}
	}
	return nil
}

// tagged adds the "DÉMO – données fictives" tag to meta, keeping other meta.
func tagged(res fhir.Object) fhir.Object {
	meta, _ := res["meta"].(fhir.Object)
	m := fhir.Object{}
	for k, v := range meta {
		m[k] = v
	}
	m["tag"] = demoTag()["tag"]
	res["meta"] = m
	return res
}

// TransactionBundle wraps resources in a FHIR transaction Bundle of PUTs
// (FHIR R4 http.html#transaction): loading it twice leaves the same data.
func TransactionBundle(resources []fhir.Object) []byte {
	entries := make([]any, len(resources))
	for i, r := range resources {
		url := fmt.Sprintf("%s/%s", fhir.ResourceType(r), fhir.ID(r))
		entries[i] = fhir.Object{"fullUrl": url, "resource": r,
			"request": fhir.Object{"method": "PUT", "url": url}}
	}
	return fhir.Encode(fhir.Object{"resourceType": "Bundle", "type": "transaction", "entry": entries})
}
