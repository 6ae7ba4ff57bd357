package fhirapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"dsn/fhir"
	"dsn/internal/language"
	"dsn/mpi"
)

// mpiQueue: GET [base]/Patient/$mpi-queue?_count=N — the review queue for
// an archivist UI: a searchset Bundle of the open review Tasks, best score
// first (search.score), each followed by the two Patients it is about
// (search.mode include: the registration, the proposed golden record and
// its registration that scored best).
// Bundle.total counts every open Task. The Tasks are plain FHIR resources:
// Task?code=urn:dsn:codesystem:mpi|review&status=requested finds them too.
func (a *API) mpiQueue(w http.ResponseWriter, r *http.Request) error {
	count, err := countParam(r, 20, 1000)
	if err != nil {
		return err
	}
	items, total, err := a.records.Queue(r.Context(), count)
	if err != nil {
		return err
	}
	var entries []any
	seen := map[string]bool{}
	base := a.base(r)
	for _, it := range items {
		entries = append(entries, map[string]any{"fullUrl": base + "/Task/" + it.Task.ID,
			"resource": json.RawMessage(it.Task.Body),
			"search":   map[string]any{"mode": "match", "score": it.Score}})
		obj, err := fhir.Decode(it.Task.Body)
		if err != nil {
			return err
		}
		for _, ref := range taskPatients(obj) {
			if seen[ref] {
				continue
			}
			seen[ref] = true
			if res, err := a.repo.Read(r.Context(), "Patient", ref); err == nil {
				entries = append(entries, map[string]any{"fullUrl": base + "/Patient/" + ref,
					"resource": json.RawMessage(res.Body), "search": map[string]any{"mode": "include"}})
			}
		}
	}
	b := fhir.Object{"resourceType": "Bundle", "type": "searchset", "total": total}
	if len(entries) > 0 {
		b["entry"] = entries
	}
	a.send(w, r, http.StatusOK, b)
	return nil
}

// taskPatients are the focus and the candidate of a review Task.
func taskPatients(task fhir.Object) []string {
	var out []string
	add := func(v any) {
		m, _ := v.(map[string]any)
		if ref, _ := m["reference"].(string); len(ref) > 8 && ref[:8] == "Patient/" {
			out = append(out, ref[8:])
		}
	}
	add(task["focus"])
	ins, _ := task["input"].([]any)
	for _, in := range ins {
		m, _ := in.(map[string]any)
		add(m["valueReference"])
	}
	return out
}

// mpiDuplicates: GET or POST [base]/Patient/$mpi-duplicates — the duplicate
// report over the whole index: threshold ("probable", the default,
// "certain", or a number of bits) and _count (default 100, max 10,000).
// Pairs of registrations in different golden records, best first, minus
// those an archivist already refused. Out: Parameters with total and one
// "pair" per pair: a, b (registrations), golden-a, golden-b, score, total
// (bits), grade and explanation (one line per field, in the request's
// language). A full scan
// takes seconds at 100,000 registrations and minutes at 1,000,000: use
// `dsn mpi report` for big runs.
func (a *API) mpiDuplicates(w http.ResponseWriter, r *http.Request) error {
	p, err := a.readParameters(w, r, "fhirapi.mpi-duplicates")
	if err != nil {
		return err
	}
	cfg := a.records.Live().Matcher().Config()
	threshold := cfg.Probable
	switch t := p.str("threshold"); t {
	case "", "probable":
	case "certain":
		threshold = cfg.Certain
	default:
		if threshold, err = strconv.ParseFloat(t, 64); err != nil {
			return opInvalid("fhirapi.mpi-duplicates", "threshold", "duplicates.threshold", t)
		}
	}
	count := 100
	if c := p.str("_count"); c != "" {
		if count, err = strconv.Atoi(c); err != nil || count < 1 {
			return opInvalid("fhirapi.mpi-duplicates", "_count", "op.count")
		}
		count = min(count, 10000)
	}
	dups, n, err := a.records.Duplicates(r.Context(), threshold, count)
	if err != nil {
		return err
	}
	l := language.Of(r)
	language.Header(w, l)
	out := []map[string]any{{"name": "total", "valueInteger": n}}
	for _, d := range dups {
		parts := []any{ref("a", d.A), ref("b", d.B)}
		if d.GoldenA != "" {
			parts = append(parts, ref("golden-a", d.GoldenA))
		}
		if d.GoldenB != "" {
			parts = append(parts, ref("golden-b", d.GoldenB))
		}
		parts = append(parts,
			map[string]any{"name": "score", "valueDecimal": json.Number(strconv.FormatFloat(d.Score, 'f', 3, 64))},
			map[string]any{"name": "total", "valueDecimal": json.Number(strconv.FormatFloat(d.Result.Total, 'f', 1, 64))},
			map[string]any{"name": "grade", "valueCode": mpi.FHIRGrade(d.Result)},
			map[string]any{"name": "explanation", "valueString": mpi.ExplainIn(d.Result, l)})
		out = append(out, map[string]any{"name": "pair", "part": parts})
	}
	a.send(w, r, http.StatusOK, outputParameters(out...))
	return nil
}

func ref(name, id string) map[string]any {
	return map[string]any{"name": name, "valueReference": map[string]any{"reference": "Patient/" + id}}
}

// countParam reads _count from the URL (default def, at most max).
func countParam(r *http.Request, def, max int) (int, error) {
	c := r.URL.Query().Get("_count")
	if c == "" {
		return def, nil
	}
	n, err := strconv.Atoi(c)
	if err != nil || n < 1 {
		return 0, opInvalid("fhirapi", "_count", "op.count")
	}
	return min(n, max), nil
}
