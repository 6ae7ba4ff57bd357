package fhirapi

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language"
	"dsn/mpi"
)

// Extension URLs of a $match entry: the grade is FHIR's
// (patient-operation-match.html); the explanation is DSN's, so archivists
// see field by field why a candidate was proposed.
const (
	matchGradeURL   = "http://hl7.org/fhir/StructureDefinition/match-grade"
	matchExplainURL = "urn:dsn:extension:explication-correspondance"
)

// Default and maximum number of candidates returned by $match.
const (
	matchDefaultCount = 10
	matchMaxCount     = 100
)

// matchInput is the decoded input of $match.
type matchInput struct {
	patient     fhir.Object
	onlyCertain bool
	count       int
}

// match: POST [base]/Patient/$match (FHIR R4 patient-operation-match.html).
// Input: Parameters with resource (a Patient), onlyCertainMatches, count; a
// bare Patient body is accepted too. Output: a searchset Bundle of the
// candidates from the live MPI index, best first, each with search.mode =
// match, search.score, the match-grade extension and DSN's explanation.
// With the provincial record, candidates are golden records (matchTarget).
func (a *API) match(w http.ResponseWriter, r *http.Request) error {
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := parseMatchInput(body)
	if err != nil {
		return err
	}
	rec := mpi.FromPatient(in.patient)
	// The index ranks candidates by total without explaining them; only the
	// entries returned are explained (matchEntries). Ask for a few times
	// count, and for the maximum when filtering (grades, one entry per
	// person) left the answer short, or when a protective rule capped a
	// candidate's score (the index orders by total, the answer by score: a
	// certain candidate further down may outrank it).
	var entries []matchEntry
	for limit := min(matchMaxCount, 4*in.count); ; limit = matchMaxCount {
		cands := a.mpi.MatchRanked(rec, limit)
		capped := sortByScore(a.mpi.Matcher(), cands)
		entries = a.matchEntries(r, in, cands)
		if limit == matchMaxCount || len(cands) < limit {
			break
		}
		last := mpi.FHIRGrade(cands[len(cands)-1].Result)
		if !capped && (len(entries) == in.count || last == "certainly-not") { // sorted: the rest is certainly-not too
			break
		}
	}
	language.Header(w, language.Of(r))
	a.send(w, r, http.StatusOK, a.encodeMatchBundle(r, entries))
	return nil
}

// matchEntry is one candidate returned by $match.
type matchEntry struct {
	id      string
	body    []byte // the stored Patient
	score   float64
	grade   string
	explain string
}

// encodeMatchBundle writes the searchset Bundle straight into one buffer:
// the stored Patients are copied as they are, and no map is built per entry
// (fhir.Encode would sort the keys of each).
func (a *API) encodeMatchBundle(r *http.Request, entries []matchEntry) []byte {
	size := 128
	for _, e := range entries {
		size += len(e.body) + len(e.explain) + 400
	}
	base := a.base(r)
	b := make([]byte, 0, size)
	b = append(b, `{"resourceType":"Bundle","type":"searchset","total":`...)
	b = strconv.AppendInt(b, int64(len(entries)), 10)
	if len(entries) > 0 {
		b = append(b, `,"entry":[`...)
		for i, e := range entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"fullUrl":`...)
			b = fhir.AppendString(b, base+"/Patient/"+e.id)
			b = append(b, `,"resource":`...)
			b = append(b, e.body...)
			b = append(b, `,"search":{"mode":"match","score":`...)
			b = strconv.AppendFloat(b, e.score, 'g', -1, 64)
			b = append(b, `,"extension":[{"url":"`+matchGradeURL+`","valueCode":`...)
			b = fhir.AppendString(b, e.grade)
			b = append(b, `},{"url":"`+matchExplainURL+`","valueString":`...)
			b = fhir.AppendString(b, e.explain)
			b = append(b, `}]}}`...)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// sortByScore orders candidates by FHIR score, highest first (stable: ties
// keep the index's order), and says whether a protective rule capped a
// candidate whose total reached the certain threshold: the index orders by
// total, so a certain candidate beyond the ones asked for may outrank it.
func sortByScore(m *mpi.Matcher, cands []mpi.Match) (capped bool) {
	for _, c := range cands {
		if c.Result.Class != mpi.Certain && c.Result.Total >= m.Config().Certain {
			capped = true
		}
	}
	score := func(c mpi.Match) float64 { return m.FHIRScore(c.Result) }
	slices.SortStableFunc(cands, func(a, b mpi.Match) int { return cmp.Compare(score(b), score(a)) })
	return capped
}

// matchEntries turns the index's candidates, best first, into at most
// in.count entries: certainly-not left out, probable ones too under
// onlyCertainMatches, one entry per person (matchTarget). Only these are
// explained (mpi.Index.Explain), in the request's language.
func (a *API) matchEntries(r *http.Request, in matchInput, cands []mpi.Match) []matchEntry {
	m := a.mpi.Matcher()
	l := language.Of(r)
	var entries []matchEntry
	seen := map[string]bool{}
	for i := range cands {
		c := &cands[i]
		if len(entries) == in.count {
			break
		}
		grade := mpi.FHIRGrade(c.Result)
		if grade == "certainly-not" || (in.onlyCertain && grade != "certain") {
			continue
		}
		id, why := a.matchTarget(c.ID, l)
		if seen[id] {
			continue // one entry per person: its best registration speaks for it
		}
		seen[id] = true
		res, err := a.repo.Read(r.Context(), "Patient", id)
		if err != nil { // deleted since the index saw it: not a candidate any more
			continue
		}
		a.mpi.Explain(c)
		entries = append(entries, matchEntry{id: id, body: res.Body, score: m.FHIRScore(c.Result),
			grade: grade, explain: why + mpi.ExplainIn(c.Result, l)})
	}
	return entries
}

// parseMatchInput reads the Parameters of $match and validates the Patient.
func parseMatchInput(body []byte) (matchInput, error) {
	const op = "fhirapi.Match"
	in := matchInput{count: matchDefaultCount}
	obj, err := fhir.Decode(body)
	if err != nil {
		return in, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	switch fhir.ResourceType(obj) {
	case "Patient":
		in.patient = obj
	case "Parameters":
		if err := in.readParameters(obj); err != nil {
			return in, err
		}
	default:
		return in, invalidInput("", "match.parameters")
	}
	if in.patient == nil {
		return in, invalidInput("Parameters.parameter", "match.resource")
	}
	if fhir.ResourceType(in.patient) != "Patient" {
		return in, invalidInput("Parameters.parameter.resource", "match.patient")
	}
	if err := fhir.Validate(in.patient); err != nil {
		return in, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	return in, nil
}

// readParameters takes resource, onlyCertainMatches and count from a
// Parameters resource; unknown parameters are ignored.
func (in *matchInput) readParameters(p fhir.Object) error {
	list, _ := p["parameter"].([]any)
	for _, item := range list {
		prm, _ := item.(map[string]any)
		switch prm["name"] {
		case "resource":
			res, ok := prm["resource"].(map[string]any)
			if !ok {
				return invalidInput("Parameters.parameter.resource", "op.resource")
			}
			in.patient = res
		case "onlyCertainMatches":
			v, ok := prm["valueBoolean"].(bool)
			if !ok {
				return invalidInput("Parameters.parameter.valueBoolean", "match.certain")
			}
			in.onlyCertain = v
		case "count":
			num, _ := prm["valueInteger"].(json.Number)
			v, err := num.Int64()
			if err != nil || v < 1 {
				return invalidInput("Parameters.parameter.valueInteger", "match.count")
			}
			in.count = int(min(v, matchMaxCount))
		}
	}
	return nil
}

// invalidInput is an operation's input refused at expr: the sentence id
// (messages.go) with args, in both languages.
func invalidInput(expr, id string, args ...any) error {
	return opInvalid("fhirapi.Match", expr, id, args...)
}

// invalidCause is invalidInput saying err's message, in both languages.
func invalidCause(expr string, err error) error {
	return &dsn.Error{Op: "fhirapi", Kind: dsn.KindInvalid, Msg: dsn.Message(err), English: dsn.EnglishMessage(err),
		Issues: []dsn.Issue{{Severity: "error", Code: "invalid", Diagnostics: dsn.Message(err), English: dsn.EnglishMessage(err), Expression: expr}}}
}

// matchTarget is what $match returns for an indexed registration: with the
// provincial record, its golden record (one entry per person, what a
// clinician looking for a patient expects), and the explanation says which
// registration matched; without it, or while the registration waits for its
// link, the registration itself. why is in l.
func (a *API) matchTarget(source string, l language.Tag) (id, why string) {
	if a.records == nil {
		return source, ""
	}
	g := a.records.Live().GoldenOf(source)
	if g == "" {
		return source, ""
	}
	return g, fmt.Sprintf(messages["match.golden"].In(l), g, source)
}
