package mpi

import (
	"fmt"
	"math"
	"strings"

	"dsn/internal/language/words"
)

// FHIR R4 patient-operation-match.html asks for a score in [0, 1] and a grade
// (extension match-grade: certain | probable | possible | certainly-not).
// The score maps the Fellegi–Sunter total (bits) piecewise linearly so that
// the FHIR score and our classes agree:
//
//	total ≤ 0                   → 0
//	0 … Probable bits           → 0 … 0.5   (possible)
//	Probable … Certain bits     → 0.5 … 0.9 (probable)
//	Certain … Certain+20 bits   → 0.9 … 1   (certain; 1 beyond)
//
// A pair held back by a protective rule keeps its class (Probable) and its
// score is capped just under 0.9, so no client threshold on the score can
// link automatically what the rules forbid.
const (
	scoreProbable = 0.5
	scoreCertain  = 0.9
	certainSpan   = 20.0 // bits above Certain to reach a score of 1
)

// FHIRScore maps r.Total to the $match score in [0, 1] (see above), rounded
// to three decimals.
func (m *Matcher) FHIRScore(r Result) float64 {
	c := m.cfg
	t := r.Total
	var s float64
	switch {
	case t <= 0:
		s = 0
	case t < c.Probable:
		s = scoreProbable * t / c.Probable
	case t < c.Certain:
		s = scoreProbable + (scoreCertain-scoreProbable)*(t-c.Probable)/(c.Certain-c.Probable)
	default:
		s = math.Min(1, scoreCertain+(1-scoreCertain)*(t-c.Certain)/certainSpan)
	}
	switch r.Class {
	case Probable:
		s = math.Min(s, scoreCertain-0.001)
	case NoMatch:
		s = math.Min(s, scoreProbable-0.001)
	}
	return math.Round(s*1000) / 1000
}

// FHIRGrade is the match-grade code of r: certain and probable follow the
// class; a NoMatch with a positive total (more for than against) is
// possible, otherwise certainly-not.
func FHIRGrade(r Result) string {
	switch {
	case r.Class == Certain:
		return "certain"
	case r.Class == Probable:
		return "probable"
	case r.Total > 0:
		return "possible"
	}
	return "certainly-not"
}

// Explain renders r for an archivist, in French: the class and total, one
// line per field, then the protective rules that applied. What is stored
// (a review Task, a Provenance) is French.
func Explain(r Result) string { return ExplainIn(r, words.French) }

// The words of an explanation besides the model's labels and the rules.
var (
	explainMatch = words.Text{FR: "Correspondance ", EN: "Match "}
	explainRule  = words.Text{FR: "Règle de protection: ", EN: "Protective rule: "}
)

// ExplainIn is Explain in l: what $match and $mpi-duplicates answer, in the
// request's language.
func ExplainIn(r Result, l words.Tag) string {
	var b strings.Builder
	b.WriteString(explainMatch.In(l))
	b.WriteString(r.Class.In(l))
	fmt.Fprintf(&b, " (%.1f bits)", r.Total)
	for _, f := range r.Fields {
		if f.Level == "missing" {
			continue
		}
		b.WriteString("\n")
		b.WriteString(f.In(l))
	}
	for _, rule := range r.Rules {
		b.WriteString("\n")
		b.WriteString(explainRule.In(l))
		b.WriteString(rule.In(l))
	}
	return b.String()
}
