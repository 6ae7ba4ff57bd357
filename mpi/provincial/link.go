package provincial

import (
	"context"
	"slices"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language/words"
	"dsn/mpi"
)

// Result is what an operation wrote, for the OperationOutcome and the
// client: every version in order, the Provenance last.
type Result struct {
	Written    []dsn.Resource
	Provenance string // id of the Provenance recording the step
	Golden     string // the golden record the source ends in ("" if none)
	Message    string // French summary
	English    string // the same in English (the edge chooses: fhirapi, Accept-Language)
}

func result(written []dsn.Resource, golden string, msg words.Text) Result {
	r := Result{Written: written, Golden: golden, Message: msg.FR, English: msg.EN}
	for _, w := range written {
		if w.Type == "Provenance" {
			r.Provenance = w.ID
		}
	}
	return r
}

// rule is a refusal by a business rule (422, issue code business-rule),
// saying the sentence id with args in both languages.
func rule(op, id string, args ...any) error {
	e := fail(op, dsn.KindUnprocessable, id, args...)
	e.Issues = []dsn.Issue{{Severity: "error", Code: "business-rule", Diagnostics: e.Msg, English: e.English}}
	return e
}

// registration reads a source Patient an operation acts on: it must exist,
// not be a golden record and not be merged away.
func (w *work) registration(op, id string) (*patient, error) {
	p, err := w.patient(op, id)
	if err != nil {
		return nil, err
	}
	if p.golden() {
		return nil, rule(op, "link.golden", id)
	}
	if into := mpi.Links(p.obj, "replaced-by"); len(into) > 0 {
		return nil, rule(op, "link.merged", id, into[0])
	}
	return p, nil
}

// activeGolden reads a golden record an operation links to: it must be a
// golden record still in use.
func (w *work) activeGolden(op, id string) (*patient, error) {
	g, err := w.patient(op, id)
	if err != nil {
		return nil, err
	}
	if !g.golden() {
		return nil, rule(op, "link.not-golden", id)
	}
	if into := mpi.Links(g.obj, "replaced-by"); len(into) > 0 {
		return nil, rule(op, "link.replaced", id, into[0])
	}
	if len(g.members()) == 0 {
		return nil, rule(op, "golden.empty", id)
	}
	return g, nil
}

// Link moves registration source into golden record golden ($mpi-link).
// Its former record is recomputed, or retired into golden if it held only
// source; open reviews of source are closed. Errors: KindNotFound/KindGone,
// KindUnprocessable (not a registration, not a golden record, already linked).
func (s *Service) Link(ctx context.Context, actor Actor, source, golden, reason string) (Result, error) {
	const op = "provincial.Link"
	written, err := s.atomic(ctx, func(w *work) error {
		src, err := w.registration(op, source)
		if err != nil {
			return err
		}
		g, err := w.activeGolden(op, golden)
		if err != nil {
			return err
		}
		return w.link(op, src, g, ActLink, actor, reason, "")
	})
	return result(written, golden, say("link.done", source, golden)), err
}

// link is Link's work; taskID, if set, is the review Task accepted.
func (w *work) link(op string, src, g *patient, act string, actor Actor, reason, taskID string) error {
	own, err := w.goldenOf(src.id())
	if err != nil {
		return err
	}
	if own != nil && own.id() == g.id() {
		return rule(op, "link.already", src.id(), g.id())
	}
	tasks, err := w.reviews(src.id())
	if err != nil {
		return err
	}
	prov := w.tx.NewID()
	if _, err := w.setRefer(src, g.id()); err != nil {
		return err
	}
	if _, err := w.refresh(g.id(), g, append(g.members(), src.id()), ""); err != nil {
		return err
	}
	ents := []entity{{role: "revision", what: versionRef(g.res)}}
	if own != nil {
		rest := slices.DeleteFunc(own.members(), func(x string) bool { return x == src.id() })
		into := ""
		if len(rest) == 0 {
			into = g.id()
		}
		if _, err := w.refresh(own.id(), own, rest, into); err != nil {
			return err
		}
		ents = append(ents, entity{role: "source", what: versionRef(own.res)})
	}
	for _, t := range tasks {
		switch {
		case t.status() != "requested":
		case t.res.ID == taskID || t.candidate() == g.id():
			err = w.closeTask(t, "completed", said("note.confirmed"), prov)
		default:
			err = w.closeTask(t, "cancelled", said("note.other"), prov)
		}
		if err != nil {
			return err
		}
	}
	_, err = w.provenance(prov, act, actor, typed(reason), ents, w.written)
	return err
}

// Unlink takes registration source out of its golden record into a new one
// of its own ($mpi-unlink) and remembers that it is not that person, so the
// linker never joins them again. Errors: KindUnprocessable if source is the
// only registration of its record or not linked yet.
func (s *Service) Unlink(ctx context.Context, actor Actor, source, reason string) (Result, error) {
	const op = "provincial.Unlink"
	var gid string
	written, err := s.atomic(ctx, func(w *work) error {
		src, err := w.registration(op, source)
		if err != nil {
			return err
		}
		own, err := w.goldenOf(source)
		if err != nil {
			return err
		}
		if own == nil {
			return rule(op, "unlink.none", source)
		}
		if len(own.members()) < 2 {
			return rule(op, "unlink.only", source, own.id())
		}
		tasks, err := w.reviews(source)
		if err != nil {
			return err
		}
		prov := w.tx.NewID()
		rest := slices.DeleteFunc(own.members(), func(x string) bool { return x == source })
		if _, err := w.refresh(own.id(), own, rest, ""); err != nil {
			return err
		}
		g, err := w.refresh(w.tx.NewID(), nil, []string{source}, "")
		if err != nil {
			return err
		}
		gid = g.id()
		if _, err := w.setRefer(src, gid); err != nil {
			return err
		}
		if err := w.remember(source, own.id(), said("note.unlinked"), prov, tasks); err != nil {
			return err
		}
		_, err = w.provenance(prov, ActUnlink, actor, typed(reason), []entity{{role: "source", what: versionRef(own.res)}}, w.written)
		return err
	})
	return result(written, gid, say("unlink.done", source, gid)), err
}

// Accept confirms a review Task ($mpi-accept): its registration joins the
// proposed golden record (or the record that replaced it since).
// Errors: KindNotFound, KindUnprocessable (not a review Task, already decided).
func (s *Service) Accept(ctx context.Context, actor Actor, taskID, reason string) (Result, error) {
	const op = "provincial.Accept"
	var gid string
	written, err := s.atomic(ctx, func(w *work) error {
		t, err := w.openReview(op, taskID)
		if err != nil {
			return err
		}
		src, err := w.registration(op, focusOf(t.obj))
		if err != nil {
			return err
		}
		g, err := w.follow(op, t.candidate())
		if err != nil {
			return err
		}
		gid = g.id()
		return w.link(op, src, g, ActAccept, actor, reason, taskID)
	})
	return result(written, gid, say("accept.done", gid)), err
}

// Reject refuses a review Task ($mpi-reject): the two stay apart, and the
// pair is never proposed again.
func (s *Service) Reject(ctx context.Context, actor Actor, taskID, reason string) (Result, error) {
	const op = "provincial.Reject"
	written, err := s.atomic(ctx, func(w *work) error {
		t, err := w.openReview(op, taskID)
		if err != nil {
			return err
		}
		prov := w.tx.NewID()
		if err := w.closeTask(t, "rejected", said("note.rejected"), prov); err != nil {
			return err
		}
		ents := []entity{{role: "source", what: "Patient/" + focusOf(t.obj)}, {role: "source", what: "Patient/" + t.candidate()}}
		_, err = w.provenance(prov, ActReject, actor, typed(reason), ents, w.written)
		return err
	})
	return result(written, "", say("reject.done")), err
}

// openReview reads a review Task still waiting for a decision.
func (w *work) openReview(op, id string) (reviewTask, error) {
	res, err := w.tx.Read("Task", id)
	if err != nil {
		switch dsn.KindOf(err) {
		case dsn.KindNotFound, dsn.KindGone:
			return reviewTask{}, fail(op, dsn.KindOf(err), "task.missing", id)
		}
		return reviewTask{}, err
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		return reviewTask{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	t := reviewTask{res: res, obj: obj}
	if !isReview(obj) {
		return t, rule(op, "task.not-review", id)
	}
	if t.status() != "requested" {
		return t, rule(op, "task.done", id, t.status())
	}
	return t, nil
}

func isReview(task fhir.Object) bool {
	code, _ := task["code"].(map[string]any)
	for _, c := range objs(code["coding"]) {
		if str(c["system"]) == mpi.System && str(c["code"]) == ReviewCode {
			return true
		}
	}
	return false
}

func focusOf(task fhir.Object) string {
	f, _ := task["focus"].(map[string]any)
	id, _ := cutPatient(str(f["reference"]))
	return id
}

// follow reads golden record id, following "replaced-by" links to the
// record in use (a proposal may outlive the record it named).
func (w *work) follow(op, id string) (*patient, error) {
	for hop := 0; hop < 10; hop++ {
		g, err := w.patient(op, id)
		if err != nil {
			return nil, err
		}
		into := mpi.Links(g.obj, "replaced-by")
		if len(into) == 0 {
			return w.activeGolden(op, id)
		}
		id = into[0]
	}
	return nil, rule(op, "link.chain", id)
}
