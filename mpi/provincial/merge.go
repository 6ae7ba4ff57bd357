package provincial

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
)

// MergeRequest is the input of $merge (R5 patient-operation-merge.html):
// the source Patient is merged into the target.
type MergeRequest struct {
	Source, Target string
	// Result, if set, is the target as it should be after the merge
	// (result-patient): its id must be Target; the links the MPI manages are kept.
	Result  fhir.Object
	Preview bool // compute and return the outcome, write nothing
	Reason  string
}

// MergeResult is what $merge did (or would do, in preview).
type MergeResult struct {
	Result
	Target fhir.Object // the target Patient after the merge
	Moved  int         // clinical resources now pointing at the target
}

// errPreview rolls the preview's transaction back.
var errPreview = errors.New("preview")

// Merge merges Patient source into target in one transaction, after R5's
// Patient $merge: the source becomes inactive with a "replaced-by" link to
// the target (naming the merge's Provenance), the target gets a "replaces"
// link. Nothing is deleted and every step is reversible by Unmerge.
//
//   - Two registrations (two charts of one person): every resource of the
//     source's compartment (Provenance and AuditEvent aside: they record
//     the past) is re-pointed at the target, so references keep resolving
//     and the target's compartment holds the whole chart; the source leaves
//     its golden record (retired into the target's if it was its last).
//   - Two golden records: every registration of the source record moves to
//     the target record; the source record is retired. Clinical resources
//     point at registrations and do not change.
//
// Errors: KindNotFound/KindGone, KindUnprocessable for a patient merged into
// itself, a registration with a golden record, a source already merged, a
// target merged away.
func (s *Service) Merge(ctx context.Context, actor Actor, req MergeRequest) (MergeResult, error) {
	const op = "provincial.Merge"
	var out MergeResult
	if req.Source == req.Target {
		return out, rule(op, "merge.self", req.Source)
	}
	if req.Result != nil && fhir.ID(req.Result) != req.Target {
		return out, rule(op, "merge.result", req.Target, fhir.ID(req.Result))
	}
	written, err := s.atomic(ctx, func(w *work) error {
		out = MergeResult{}
		a, b, err := w.mergePair(op, req.Source, req.Target)
		if err != nil {
			return err
		}
		prov := w.tx.NewID()
		if a.golden() {
			err = w.mergeGoldens(a, b, prov, &out)
		} else {
			err = w.mergeRegistrations(a, b, req.Result, prov, &out)
		}
		if err != nil {
			return err
		}
		ents := []entity{{role: "source", what: versionRef(a.res)}, {role: "revision", what: versionRef(b.res)}}
		if ga := w.mergedFrom; ga != nil {
			ents = append(ents, entity{role: "source", what: versionRef(ga.res)})
		}
		if _, err := w.provenance(prov, ActMerge, actor, typed(req.Reason), ents, w.written); err != nil {
			return err
		}
		if req.Preview {
			return errPreview
		}
		return nil
	})
	if errors.Is(err, errPreview) {
		t := say("merge.preview")
		out.Message, out.English = t.FR, t.EN
		return out, nil
	}
	out.Result = result(written, out.Golden, say("merge.done", req.Source, req.Target))
	return out, err
}

// mergePair reads and checks the two patients of a merge.
func (w *work) mergePair(op, source, target string) (a, b *patient, err error) {
	if a, err = w.patient(op, source); err != nil {
		return nil, nil, err
	}
	if b, err = w.patient(op, target); err != nil {
		return nil, nil, err
	}
	if a.golden() != b.golden() {
		return nil, nil, rule(op, "merge.kinds")
	}
	if into := mpi.Links(a.obj, "replaced-by"); len(into) > 0 {
		return nil, nil, rule(op, "merge.already", source, into[0])
	}
	if into := mpi.Links(b.obj, "replaced-by"); len(into) > 0 {
		return nil, nil, rule(op, "merge.target-merged", target, into[0])
	}
	if a.golden() && len(a.members()) == 0 {
		return nil, nil, rule(op, "golden.empty", source)
	}
	if b.golden() && len(b.members()) == 0 {
		return nil, nil, rule(op, "golden.empty", target)
	}
	return a, b, nil
}

// noMove are the compartment types a merge leaves pointing at the source:
// they record what happened to it.
var noMove = map[string]bool{"Provenance": true, "AuditEvent": true}

func (w *work) mergeRegistrations(a, b *patient, result fhir.Object, prov string, out *MergeResult) error {
	// the target first: the Provenance lands in its compartment
	next := cloneObj(b.obj)
	if result != nil {
		next = cloneObj(result)
		delete(next, "meta")
		next["link"] = b.obj["link"]
		keepTags(next, b.obj)
	}
	next["link"] = append(anyList(next["link"]), link("Patient/"+a.id(), "replaces"))
	if _, err := w.put(next); err != nil {
		return err
	}
	out.Target = next
	merged := cloneObj(a.obj)
	merged["active"] = false
	var links []any
	for _, l := range objs(a.obj["link"]) {
		if other, _ := l["other"].(map[string]any); str(l["type"]) == "refer" && w.isGoldenRef(str(other["reference"])) {
			continue
		}
		links = append(links, l)
	}
	merged["link"] = append(links, linkWithProvenance("Patient/"+b.id(), "replaced-by", prov))
	if _, err := w.put(merged); err != nil {
		return err
	}
	moved, err := w.repoint(a.id(), b.id())
	if err != nil {
		return err
	}
	out.Moved = moved
	ga, err := w.goldenOf(a.id())
	if err != nil {
		return err
	}
	gb, err := w.goldenOf(b.id())
	if err != nil {
		return err
	}
	if ga != nil && (gb == nil || ga.id() != gb.id()) {
		w.mergedFrom = ga
		rest := slices.DeleteFunc(ga.members(), func(x string) bool { return x == a.id() })
		into := ""
		if gb != nil && len(rest) == 0 {
			into = gb.id()
		}
		if _, err := w.refresh(ga.id(), ga, rest, into); err != nil {
			return err
		}
	}
	if gb != nil {
		rest := slices.DeleteFunc(gb.members(), func(x string) bool { return x == a.id() })
		if _, err := w.refresh(gb.id(), gb, rest, ""); err != nil {
			return err
		}
		out.Golden = gb.id()
	}
	tasks, err := w.reviews(a.id())
	if err != nil {
		return err
	}
	return w.cancelOpen(tasks, said("note.merged-into", b.id()))
}

// repoint re-points the source's compartment at the target.
func (w *work) repoint(from, to string) (int, error) {
	res, err := w.tx.Compartment(from)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range res {
		if r.Type == "Patient" || noMove[r.Type] {
			continue
		}
		obj, err := fhir.Decode(r.Body)
		if err != nil {
			return n, dsn.Wrap("provincial.Merge", dsn.KindInternal, err)
		}
		if rewriteRefs(obj, "Patient/"+from, "Patient/"+to) == 0 {
			continue
		}
		if _, err := w.put(obj); err != nil {
			// the request is fine, the stored data is not: 422
			m := messages["merge.rewrite"]
			return n, &dsn.Error{Op: "provincial.Merge", Kind: dsn.KindUnprocessable, Issues: dsn.IssuesOf(err),
				Msg:     fmt.Sprintf(m.FR, r.Type+"/"+r.ID, dsn.Message(err)),
				English: fmt.Sprintf(m.EN, r.Type+"/"+r.ID, dsn.EnglishMessage(err))}
		}
		n++
	}
	return n, nil
}

func (w *work) mergeGoldens(a, b *patient, prov string, out *MergeResult) error {
	members := a.members()
	prev := &patient{res: b.res, obj: cloneObj(b.obj)}
	prev.obj["link"] = append(anyList(prev.obj["link"]), link("Patient/"+a.id(), "replaces"))
	nb, err := w.refresh(b.id(), prev, append(b.members(), members...), "")
	if err != nil {
		return err
	}
	out.Target, out.Golden = nb.obj, b.id()
	w.intoProv = prov
	_, err = w.refresh(a.id(), a, nil, b.id())
	w.intoProv = ""
	if err != nil {
		return err
	}
	for _, id := range members {
		src, err := w.patient("provincial.Merge", id)
		if err != nil {
			if k := dsn.KindOf(err); k == dsn.KindNotFound || k == dsn.KindGone {
				continue
			}
			return err
		}
		if _, err := w.setRefer(src, b.id()); err != nil {
			return err
		}
		tasks, err := w.reviews(id)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if t.status() == "requested" && t.candidate() == b.id() {
				if err := w.closeTask(t, "cancelled", said("note.goldens"), prov); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func anyList(v any) []any { l, _ := v.([]any); return slices.Clone(l) }

// keepTags gives dst the meta.tag of src (security labels and the demo tag
// survive a content replacement).
func keepTags(dst, src fhir.Object) {
	if ms, ok := src["meta"].(map[string]any); ok && ms["tag"] != nil {
		dst["meta"] = map[string]any{"tag": ms["tag"]}
	}
}
