package provincial

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language/words"
	"dsn/mpi"
)

// The review queue is made of FHIR Task resources (task.html), so an
// archivist UI reads it with plain search
// (Task?code=urn:dsn:codesystem:mpi|review&status=requested) or
// Patient/$mpi-queue (best scores first, Patients included):
//
//   - code mpi.System|review, intent "proposal", focus = the registration
//     awaiting a decision, for = the golden record proposed (so both are
//     searchable: Task?focus=Patient/x, Task?subject=Patient/g);
//   - input "candidate" = the golden record proposed, "candidate-source" =
//     its registration that scored best, "score" (the $match score), "total"
//     (bits), "grade", one input per compared field (type.text = the French
//     label, valueString = the explanation line, and extension
//     FieldExt with level, weight and the two values) and one per
//     protective rule;
//   - status "requested" while waiting; "completed" once accepted (the
//     source joined the candidate), "rejected" once refused — a rejected
//     Task is also the memory that these are two different people, so the
//     linker never proposes or links the pair again; "cancelled" when the
//     question disappeared (the source was linked elsewhere or deleted).
const (
	ReviewCode = "review"
	// FieldExt carries one compared field of a review Task input.
	FieldExt = "urn:dsn:extension:mpi-champ"
)

// candidate is a golden record proposed for a source.
type candidate struct {
	golden string     // golden record id
	source string     // its registration that scored best
	result mpi.Result // the score against that registration
	score  float64    // the FHIR $match score
}

// reviewTask is a review Task read in the transaction.
type reviewTask struct {
	res dsn.Resource
	obj fhir.Object
}

func (t reviewTask) status() string { return str(t.obj["status"]) }

// candidate is the golden record the Task proposes.
func (t reviewTask) candidate() string { return inputRef(t.obj, "candidate") }

func inputRef(task fhir.Object, code string) string {
	for _, in := range objs(task["input"]) {
		if inputCode(in) == code {
			v, _ := in["valueReference"].(map[string]any)
			id, _ := cutPatient(str(v["reference"]))
			return id
		}
	}
	return ""
}

func inputCode(in map[string]any) string {
	t, _ := in["type"].(map[string]any)
	for _, c := range objs(t["coding"]) {
		if str(c["system"]) == mpi.System {
			return str(c["code"])
		}
	}
	return ""
}

// reviews returns every review Task about source, whatever its status.
func (w *work) reviews(source string) ([]reviewTask, error) {
	found, err := w.tx.Find("Task", url.Values{
		"focus": {"Patient/" + source}, "code": {mpi.System + "|" + ReviewCode}})
	if err != nil {
		return nil, err
	}
	out := make([]reviewTask, 0, len(found))
	for _, r := range found {
		obj, err := fhir.Decode(r.Body)
		if err != nil {
			return nil, dsn.Wrap("provincial.reviews", dsn.KindInternal, err)
		}
		out = append(out, reviewTask{res: r, obj: obj})
	}
	return out, nil
}

// rejected lists the golden records an archivist said source is not.
func rejected(tasks []reviewTask) map[string]bool {
	out := map[string]bool{}
	for _, t := range tasks {
		if t.status() == "rejected" {
			out[t.candidate()] = true
		}
	}
	return out
}

// propose puts the candidates in the queue for source: an open Task per
// candidate (an existing one is refreshed), and cancels open Tasks for
// golden records no longer proposed.
func (w *work) propose(src *patient, cands []candidate, tasks []reviewTask) error {
	want := map[string]candidate{}
	for _, c := range cands {
		want[c.golden] = c
	}
	have := map[string]bool{}
	for _, t := range tasks {
		c, ok := want[t.candidate()]
		switch {
		case t.status() == "rejected":
			continue
		case ok && !have[c.golden]:
			have[c.golden] = true
			next := reviewBody(t.res.ID, src.id(), c, w.now)
			if t.status() == "requested" && sameReview(t.obj, next) {
				continue
			}
			if _, err := w.tx.Put(next); err != nil {
				return err
			}
		case t.status() == "requested":
			if err := w.closeTask(t, "cancelled", said("note.moot"), ""); err != nil {
				return err
			}
		}
	}
	for _, c := range cands {
		if !have[c.golden] {
			have[c.golden] = true
			if _, err := w.tx.Put(reviewBody("", src.id(), c, w.now)); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameReview ignores the dates: a Task re-proposed unchanged is not rewritten.
func sameReview(a, b fhir.Object) bool {
	a, b = cloneObj(a), cloneObj(b)
	for _, o := range []fhir.Object{a, b} {
		delete(o, "authoredOn")
		delete(o, "lastModified")
	}
	return sameContent(a, b)
}

// cancelOpen cancels the open review Tasks of source (it was linked or left).
func (w *work) cancelOpen(tasks []reviewTask, note words.Text) error {
	for _, t := range tasks {
		if t.status() == "requested" {
			if err := w.closeTask(t, "cancelled", note, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeTask sets a review Task's final status, with the decision as output.
func (w *work) closeTask(t reviewTask, status string, note words.Text, prov string) error {
	next := cloneObj(t.obj)
	closeBody(next, status, note, prov, w.now)
	res, err := w.tx.Put(next)
	if err == nil {
		w.written = append(w.written, res)
	}
	return err
}

func closeBody(t fhir.Object, status string, note words.Text, prov string, now time.Time) {
	t["status"] = status
	t["lastModified"] = dsn.FormatInstant(now)
	t["businessStatus"] = textObj("text", note)
	out := []any{map[string]any{"type": mpiConcept("decision", said("out.decision")), "valueCode": status}}
	if prov != "" {
		out = append(out, map[string]any{"type": mpiConcept("provenance", said("out.provenance")),
			"valueReference": map[string]any{"reference": "Provenance/" + prov}})
	}
	t["output"] = out
}

// remember records that source is not the person of golden record g: the
// open Task for the pair is rejected, or a rejected one is written.
func (w *work) remember(source, g string, note words.Text, prov string, tasks []reviewTask) error {
	for _, t := range tasks {
		if t.candidate() == g {
			if t.status() == "rejected" {
				return nil
			}
			return w.closeTask(t, "rejected", note, prov)
		}
	}
	body := reviewBody("", source, candidate{golden: g}, w.now)
	closeBody(body, "rejected", note, prov, w.now)
	res, err := w.tx.Put(body)
	if err == nil {
		w.written = append(w.written, res)
	}
	return err
}

// reviewBody builds the Task proposing golden record c.golden for source.
func reviewBody(id, source string, c candidate, now time.Time) fhir.Object {
	t := fhir.Object{
		"resourceType": "Task",
		"status":       "requested",
		"intent":       "proposal",
		"priority":     "routine",
		"code": map[string]any{"coding": []any{withText(map[string]any{"system": mpi.System, "code": ReviewCode},
			"display", said("task.code"))}},
		"focus":          map[string]any{"reference": "Patient/" + source},
		"for":            map[string]any{"reference": "Patient/" + c.golden},
		"businessStatus": textObj("text", said("task.open")),
	}
	if id != "" {
		t["id"] = id
	}
	t["authoredOn"] = dsn.FormatInstant(now)
	t["lastModified"] = dsn.FormatInstant(now)
	ins := []any{map[string]any{"type": mpiConcept("candidate", said("in.candidate")),
		"valueReference": map[string]any{"reference": "Patient/" + c.golden}}}
	if c.source != "" {
		ins = append(ins,
			map[string]any{"type": mpiConcept("candidate-source", said("in.candidate-src")),
				"valueReference": map[string]any{"reference": "Patient/" + c.source}},
			map[string]any{"type": mpiConcept("score", said("in.score")), "valueDecimal": decimal(c.score, 3)},
			map[string]any{"type": mpiConcept("total", said("in.total")), "valueDecimal": decimal(c.result.Total, 1)},
			map[string]any{"type": mpiConcept("grade", said("in.grade")), "valueCode": mpi.FHIRGrade(c.result)})
		d := storedWords["task.scored"]
		setText(t, "description", words.Text{
			FR: fmt.Sprintf(d.FR, source, c.golden, c.source, c.result.Class.In(words.French), c.result.Total, c.score),
			EN: fmt.Sprintf(d.EN, source, c.golden, c.source, c.result.Class.In(words.English), c.result.Total, c.score)})
		ins = append(ins, fieldInputs(c.result)...)
	} else {
		setText(t, "description", said("task.pair", source, c.golden))
	}
	t["input"] = ins
	return t
}

// fieldInputs explains the score field by field, then the protective rules.
func fieldInputs(r mpi.Result) []any {
	var out []any
	for _, f := range r.Fields {
		if f.Level == "missing" {
			continue
		}
		sub := []any{
			map[string]any{"url": "level", "valueCode": f.Level},
			map[string]any{"url": "weight", "valueDecimal": decimal(f.Weight, 2)},
		}
		if f.A != "" {
			sub = append(sub, map[string]any{"url": "a", "valueString": f.A})
		}
		if f.B != "" {
			sub = append(sub, map[string]any{"url": "b", "valueString": f.B})
		}
		in := map[string]any{
			"type":      withText(map[string]any{"coding": []any{map[string]any{"system": mpi.System, "code": "field-" + f.Field}}}, "text", f.Label),
			"extension": []any{map[string]any{"url": FieldExt, "extension": sub}},
		}
		setText(in, "valueString", words.Text{FR: f.String(), EN: f.In(words.English)})
		out = append(out, in)
	}
	for _, rule := range r.Rules {
		out = append(out, withText(map[string]any{"type": mpiConcept("rule", said("in.rule"))}, "valueString", rule))
	}
	return out
}

func mpiConcept(code string, text words.Text) map[string]any {
	return withText(map[string]any{"coding": []any{map[string]any{"system": mpi.System, "code": code}}}, "text", text)
}

func decimal(x float64, prec int) json.Number {
	return json.Number(strconv.FormatFloat(x, 'f', prec, 64))
}

// cancelFor cancels the open review Tasks proposing golden record g (it was
// retired: the question no longer stands as asked).
func (w *work) cancelFor(g string, note words.Text) error {
	found, err := w.tx.Find("Task", url.Values{"subject": {"Patient/" + g},
		"code": {mpi.System + "|" + ReviewCode}, "status": {"requested"}})
	if err != nil {
		return err
	}
	for _, r := range found {
		obj, err := fhir.Decode(r.Body)
		if err != nil {
			return dsn.Wrap("provincial.cancelFor", dsn.KindInternal, err)
		}
		if err := w.closeTask(reviewTask{res: r, obj: obj}, "cancelled", note, ""); err != nil {
			return err
		}
	}
	return nil
}
