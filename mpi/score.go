package mpi

import (
	"fmt"
	"math"
	"strings"

	"dsn/internal/language/words"
)

// Result is the comparison of two records: the total weight, the outcome,
// one line per field and the protective rules that applied.
type Result struct {
	Total  float64
	Class  Class
	Fields []FieldScore
	Rules  []words.Text // why the outcome was capped (rules.go)
}

// FieldScore explains one field of a score for an archivist.
type FieldScore struct {
	Field      string     // machine name: family, given…
	Label      words.Text // nom de famille / family name…
	A, B       string     // the values compared, as entered
	Level      string     // machine name of the level, "missing" when absent
	LevelLabel words.Text // the level's description
	Weight     float64    // bits added to the total
}

// String renders the line as an archivist reads it, in French.
func (f FieldScore) String() string { return f.In(words.French) }

// In renders the line in l.
func (f FieldScore) In(l words.Tag) string {
	return fmt.Sprintf("%s: « %s » / « %s » → %s (%+.1f)", f.Label.In(l), f.A, f.B, f.LevelLabel.In(l), f.Weight)
}

// Levels holds one agreement level per field (Missing when absent), in the
// order of Config.Fields: the input of EM.
type Levels [numFields]int8

var comparators = [numFields]func(a, b *prepared) int{
	compareFamily, compareGiven, compareBirth, compareSex, compareNAM, compareAddress, comparePhone, compareMRN,
}

func compareAll(a, b *prepared) Levels {
	var l Levels
	for i, f := range comparators {
		l[i] = int8(f(a, b))
	}
	return l
}

// freqs gives the frequency of a normalised family or first given name in the
// indexed population; nil when unknown.
type freqs interface {
	familyFreq(name string) float64
	givenFreq(name string) float64
}

// Matcher scores pairs of records with one model.
type Matcher struct {
	cfg     *Config
	weights [numFields][]float64
	// best[f] is the highest weight of field f (0 at least: missing adds 0).
	best [numFields]float64
	// labels[f] is field f's label and levels[f] its levels', in both languages.
	labels [numFields]words.Text
	levels [numFields][]words.Text
}

// pruneOrder compares the cheap, decisive fields first and the costly name
// comparisons (Jaro–Winkler) last, so that a pair is dropped as soon as it
// cannot reach its threshold, before the names when possible.
var pruneOrder = [numFields]int{FieldBirthDate, FieldSex, FieldNAM, FieldMRN, FieldPhone, FieldAddress, FieldGiven, FieldFamily}

// bounds are, for a record p, the most the fields pruneOrder[k:] can still
// add to a pair with p: bounds[k].
type bounds [numFields + 1]float64

// boundsFor computes p's bounds: a field p lacks is missing for every pair
// (it adds 0), except the NAM, whose absence still lets a candidate's NAM be
// "consistent" or "inconsistent" with p (compareNAM).
func (m *Matcher) boundsFor(p *prepared) *bounds {
	var b bounds
	for k := numFields - 1; k >= 0; k-- {
		f := pruneOrder[k]
		w := m.best[f]
		switch {
		case f == FieldNAM && p.nam.off == p.nam.end:
			w = max(0, m.weights[f][2], m.weights[f][3])
		case !has(p, f):
			w = 0
		}
		b[k] = b[k+1] + w
	}
	return &b
}

// has tells whether p has field f (the comparators answer Missing without it).
func has(p *prepared, f int) bool {
	switch f {
	case FieldFamily:
		return p.famFull.off != p.famFull.end
	case FieldGiven:
		return p.given.off != p.given.end
	case FieldBirthDate:
		return p.dob != 0
	case FieldSex:
		return p.sex == 'M' || p.sex == 'F'
	case FieldNAM:
		return p.nam.off != p.nam.end
	case FieldAddress:
		return p.postal.off != p.postal.end
	case FieldPhone:
		return p.phones.off != p.phones.end
	case FieldMRN:
		return p.mrns.off != p.mrns.end
	}
	return true
}

// compareAbove returns the levels of a and b, or false as soon as the total
// cannot reach threshold; bound is a's (boundsFor). Frequency adjustment and
// the household discount only ever lower a total, so the bounds hold.
func (m *Matcher) compareAbove(a, b *prepared, threshold float64, bound *bounds) (Levels, bool) {
	var l Levels
	t := 0.0
	for k, f := range pruneOrder {
		l[f] = int8(comparators[f](a, b))
		if l[f] != Missing {
			t += m.weights[f][l[f]]
		}
		if t+bound[k+1] < threshold {
			return l, false
		}
	}
	return l, true
}

// NewMatcher checks cfg and precomputes its weights.
func NewMatcher(cfg *Config) (*Matcher, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	m := &Matcher{cfg: cfg}
	def := DefaultConfig()
	for i, f := range cfg.Fields {
		m.labels[i] = label(f.Label, f.LabelEN, def.Fields[i].LabelEN)
		for j, l := range f.Levels {
			m.weights[i] = append(m.weights[i], l.W())
			m.best[i] = max(m.best[i], l.W())
			m.levels[i] = append(m.levels[i], label(l.Label, l.LabelEN, def.Fields[i].Levels[j].LabelEN))
		}
	}
	return m, nil
}

// label is a configured label in both languages. A model without the
// English (written before LabelEN existed) takes the built-in English of
// the same field or level: Check holds the fields and the number of levels
// to the comparators', so a position means the same agreement whatever the
// French says; an empty French label takes the English.
func label(fr, en, builtin string) words.Text {
	if en == "" {
		en = builtin
	}
	if fr == "" {
		fr = en
	}
	return words.Text{FR: fr, EN: en}
}

// Config returns the model in use.
func (m *Matcher) Config() *Config { return m.cfg }

// Score compares two records without population frequencies.
func (m *Matcher) Score(a, b Record) Result {
	pa, pb := prepare(&a), prepare(&b)
	return m.explain(pa, pb, compareAll(pa, pb), nil)
}

// total adds the weights of the levels; exact name agreements are lowered by
// the name's frequency when f is known (u cannot be below the chance that a
// random person carries that name).
func (m *Matcher) total(a, b *prepared, l Levels, f freqs) float64 {
	t := 0.0
	for i, lv := range l {
		if lv != Missing {
			t += m.weights[i][lv]
		}
	}
	t -= m.householdDiscount(l)
	if f == nil || !m.cfg.FrequencyAdjust {
		return t
	}
	if l[FieldFamily] == 0 {
		t += m.freqAdjust(FieldFamily, f.familyFreq(commonFamily(a, b)))
	}
	if l[FieldGiven] == 0 {
		t += m.freqAdjust(FieldGiven, f.givenFreq(a.s(a.given)))
	}
	return t
}

// householdDiscount halves the phone weight when the address agrees too: a
// household shares both, so the two agreements are not independent evidence
// (Fellegi–Sunter assumes they are) and would otherwise push relatives living
// together towards the review queue.
func (m *Matcher) householdDiscount(l Levels) float64 {
	if l[FieldAddress] == 0 && l[FieldPhone] == 0 {
		return m.weights[FieldPhone][0] / 2
	}
	return 0
}

// freqAdjust is the change from log2(m/u) to log2(m/max(u, freq)).
func (m *Matcher) freqAdjust(field int, freq float64) float64 {
	u := m.cfg.Fields[field].Levels[0].U
	if freq <= u {
		return 0
	}
	return math.Log2(u / freq)
}

func commonFamily(a, b *prepared) string {
	bf := b.s(b.famFull)
	for l := a.s(a.famFull); l != ""; {
		var x string
		if x, l = next(l); hasItem(bf, x) {
			return x
		}
	}
	return ""
}

// classify applies the thresholds and the protective rules.
func (m *Matcher) classify(a, b *prepared, l Levels, total float64) (Class, []words.Text) {
	c := NoMatch
	switch {
	case total >= m.cfg.Certain:
		c = Certain
	case total >= m.cfg.Probable:
		c = Probable
	}
	rules := protect(a, b, l)
	if c == Certain && len(rules) > 0 {
		c = Probable
	}
	return c, rules
}

// explain builds the full Result (used for the few pairs shown to people).
func (m *Matcher) explain(a, b *prepared, l Levels, f freqs) Result {
	r := Result{Total: m.total(a, b, l, f)}
	r.Class, r.Rules = m.classify(a, b, l, r.Total)
	r.Fields = m.fields(a, b, l, f)
	return r
}

// fields explains each field of a pair: the values as entered, the level
// and its weight, with the household and frequency adjustments that total
// applies.
func (m *Matcher) fields(a, b *prepared, l Levels, f freqs) []FieldScore {
	r := Result{Fields: make([]FieldScore, 0, numFields)}
	for i, lv := range l {
		fc := m.cfg.Fields[i]
		fs := FieldScore{Field: fc.Name, Label: m.labels[i], Level: "missing", LevelLabel: labelMissing}
		fs.A, fs.B = itemAt(a.s(a.display), i), itemAt(b.s(b.display), i)
		if lv != Missing {
			fs.Level, fs.LevelLabel, fs.Weight = fc.Levels[lv].Name, m.levels[i][lv], m.weights[i][lv]
		}
		r.Fields = append(r.Fields, fs)
	}
	if d := m.householdDiscount(l); d != 0 {
		r.Fields[FieldPhone].Weight -= d
		r.Fields[FieldPhone].LevelLabel = addNote(r.Fields[FieldPhone].LevelLabel, noteHousehold)
	}
	if f != nil && m.cfg.FrequencyAdjust {
		for _, i := range []int{FieldFamily, FieldGiven} {
			if l[i] == 0 {
				name := commonFamily(a, b)
				adj := m.freqAdjust(i, f.familyFreq(name))
				if i == FieldGiven {
					adj = m.freqAdjust(i, f.givenFreq(a.s(a.given)))
				}
				r.Fields[i].Weight += adj
				if adj < 0 {
					r.Fields[i].LevelLabel = addNote(r.Fields[i].LevelLabel, noteFrequent)
				}
			}
		}
	}
	return r.Fields
}

// The explanation's own words besides the model's labels.
var (
	labelMissing  = words.Text{FR: "absent d'un côté (ne compte pas)", EN: "missing on one side (does not count)"}
	noteHousehold = words.Text{FR: " (même adresse aussi: poids réduit de moitié)", EN: " (same address too: weight halved)"}
	noteFrequent  = words.Text{FR: " (nom fréquent: poids réduit)", EN: " (common name: weight lowered)"}
)

// addNote is label followed by note, in each language.
func addNote(label, note words.Text) words.Text {
	return words.Text{FR: label.FR + note.FR, EN: label.EN + note.EN}
}

// display shows a field's values as entered.
func display(field int, r *Record) string {
	switch field {
	case FieldFamily:
		return strings.Join(r.Family, " / ")
	case FieldGiven:
		return strings.Join(r.Given, " ")
	case FieldBirthDate:
		return r.BirthDate
	case FieldSex:
		return r.Sex
	case FieldNAM:
		return r.NAM
	case FieldAddress:
		var s []string
		for _, a := range r.Addresses {
			s = append(s, strings.TrimSpace(a.Line+" "+a.City+" "+a.PostalCode))
		}
		return strings.Join(s, " / ")
	case FieldPhone:
		return strings.Join(r.Phones, " / ")
	case FieldMRN:
		var s []string
		for _, id := range r.Identifiers {
			s = append(s, id.Assigner+" "+id.Value)
		}
		return strings.Join(s, " / ")
	}
	return ""
}
