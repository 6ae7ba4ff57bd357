package provincial

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language/words"
)

// Unmerge undoes the merge of Patient source into target ($unmerge), from
// the Provenance the merge recorded (named by the source's "replaced-by"
// link), in one transaction, and records the undoing as a Provenance:
//
//   - two registrations: the resources the merge re-pointed point at the
//     source again (exactly the references it changed, found by comparing
//     the versions before and after it; one changed since is left and
//     counted in the message), the source is active again as before, the
//     target loses its "replaces" link (and gets its pre-merge content back
//     when the merge replaced it with result-patient and nobody changed it
//     since). The source returns to the golden record it left if that was
//     not the target's, else gets one of its own;
//   - two golden records: the registrations the source record had move
//     back to it, and it is active again.
//
// Either way the MPI remembers that these are different people: the linker
// will not join them again. Errors: KindNotFound/KindGone;
// KindUnprocessable when source was not merged into target.
func (s *Service) Unmerge(ctx context.Context, actor Actor, source, target, reason string) (Result, error) {
	const op = "provincial.Unmerge"
	m, err := s.loadMerge(ctx, op, source, target)
	if err != nil {
		return Result{}, err
	}
	var gid string
	var note words.Text
	written, err := s.atomic(ctx, func(w *work) error {
		a, err := w.patient(op, source)
		if err != nil {
			return err
		}
		if mergeProvenance(a.obj, target) != m.prov {
			return rule(op, "unmerge.not-merged", source, target)
		}
		b, err := w.patient(op, target)
		if err != nil {
			return err
		}
		prov := w.tx.NewID()
		if a.golden() {
			gid, err = w.unmergeGoldens(a, b, m, prov)
		} else {
			gid, note, err = w.unmergeRegistrations(a, b, m, prov)
		}
		if err != nil {
			return err
		}
		_, err = w.provenance(prov, ActUnmerge, actor, typed(reason),
			[]entity{{role: "removal", what: "Provenance/" + m.prov}}, w.written)
		return err
	})
	msg := say("unmerge.done", source, target)
	if note.FR != "" {
		msg = words.Text{FR: msg.FR + "; " + note.FR, EN: msg.EN + "; " + note.EN}
	}
	return result(written, gid, msg), err
}

// merged is what loadMerge found of a past merge: the versions before it
// (source, target, golden record left) and, for each resource it re-pointed,
// the versions before and after it.
type merged struct {
	prov                    string
	source, target, goldenA *patient // pre-merge versions (goldenA may be nil)
	targetAfter             int64    // the target version the merge wrote
	moved                   []movedRes
}

type movedRes struct {
	typ, id       string
	before, after fhir.Object
}

// mergeProvenance returns the id of the Provenance named by p's
// "replaced-by" link to target ("" if none).
func mergeProvenance(p fhir.Object, target string) string {
	for _, l := range objs(p["link"]) {
		other, _ := l["other"].(map[string]any)
		if str(l["type"]) != "replaced-by" || str(other["reference"]) != "Patient/"+target {
			continue
		}
		for _, x := range objs(l["extension"]) {
			if str(x["url"]) == ProvenanceExt {
				v, _ := x["valueReference"].(map[string]any)
				return strings.TrimPrefix(str(v["reference"]), "Provenance/")
			}
		}
	}
	return ""
}

// loadMerge reads, outside the transaction (versions never change), what
// Unmerge needs of the merge.
func (s *Service) loadMerge(ctx context.Context, op, source, target string) (*merged, error) {
	res, err := s.store.Read(ctx, "Patient", source)
	if err != nil {
		switch dsn.KindOf(err) {
		case dsn.KindNotFound, dsn.KindGone:
			return nil, fail(op, dsn.KindOf(err), "patient.missing", source)
		}
		return nil, err
	}
	if _, err := s.store.Read(ctx, "Patient", target); err != nil && dsn.KindOf(err) != dsn.KindInternal {
		return nil, fail(op, dsn.KindOf(err), "patient.missing", target)
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	m := &merged{prov: mergeProvenance(obj, target)}
	if m.prov == "" {
		return nil, rule(op, "unmerge.nothing", source, target)
	}
	pr, err := s.store.Read(ctx, "Provenance", m.prov)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, fmt.Errorf("Provenance/%s de la fusion: %w", m.prov, err))
	}
	p, err := fhir.Decode(pr.Body)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	for _, e := range objs(p["entity"]) {
		what, _ := e["what"].(map[string]any)
		v, err := s.version(ctx, str(what["reference"]), 0)
		if err != nil {
			return nil, err
		}
		switch {
		case v.res.ID == source:
			m.source = v
		case v.res.ID == target:
			m.target = v
		case v.golden():
			m.goldenA = v
		}
	}
	if m.source == nil || m.target == nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, fmt.Errorf("Provenance/%s does not name both patients of the merge", m.prov))
	}
	return m, s.loadMoved(ctx, p, source, target, m)
}

// loadMoved reads the re-pointed resources of a merge: every target of its
// Provenance that is not a Patient, at the version the merge wrote and the one before.
func (s *Service) loadMoved(ctx context.Context, p fhir.Object, source, target string, m *merged) error {
	for _, t := range objs(p["target"]) {
		ref := str(t["reference"])
		typ, _, _ := strings.Cut(ref, "/")
		if typ == "Patient" {
			if v, err := s.version(ctx, ref, 0); err == nil && v.res.ID == target {
				m.targetAfter = v.res.VersionID
			}
			continue
		}
		if typ == "Task" || typ == "Provenance" {
			continue
		}
		after, err := s.version(ctx, ref, 0)
		if err != nil {
			return err
		}
		before, err := s.version(ctx, ref, -1)
		if err != nil {
			return err
		}
		m.moved = append(m.moved, movedRes{typ: typ, id: after.res.ID, before: before.obj, after: after.obj})
	}
	return nil
}

// version reads "Type/id/_history/v" (shift -1: the version before it).
func (s *Service) version(ctx context.Context, ref string, shift int64) (*patient, error) {
	parts := strings.Split(ref, "/")
	if len(parts) != 4 || parts[2] != "_history" {
		return nil, dsn.Wrap("provincial.version", dsn.KindInternal, fmt.Errorf("a version reference expected: %q", ref))
	}
	v, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return nil, dsn.Wrap("provincial.version", dsn.KindInternal, err)
	}
	res, err := s.store.VRead(ctx, parts[0], parts[1], v+shift)
	if err != nil {
		return nil, dsn.Wrap("provincial.version", dsn.KindInternal, fmt.Errorf("%s (%+d): %w", ref, shift, err))
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		return nil, dsn.Wrap("provincial.version", dsn.KindInternal, err)
	}
	return &patient{res: res, obj: obj}, nil
}

func (w *work) unmergeRegistrations(a, b *patient, m *merged, prov string) (gid string, note words.Text, err error) {
	from, to := "Patient/"+b.id(), "Patient/"+a.id()
	missed := 0
	for _, mv := range m.moved {
		paths := changedPaths(mv.before, mv.after, to, from)
		res, err := w.tx.Read(mv.typ, mv.id)
		if err != nil {
			if k := dsn.KindOf(err); k == dsn.KindGone || k == dsn.KindNotFound {
				missed += len(paths)
				continue
			}
			return "", note, err
		}
		obj, err := fhir.Decode(res.Body)
		if err != nil {
			return "", note, dsn.Wrap("provincial.Unmerge", dsn.KindInternal, err)
		}
		done, miss := revertPaths(obj, paths, from, to)
		missed += miss
		if done > 0 {
			if _, err := w.put(obj); err != nil {
				return "", note, err
			}
		}
	}
	if missed > 0 {
		note = say("unmerge.missed", missed)
	}
	// the source as before: active as it was, no replaced-by link
	restored := cloneObj(a.obj)
	if v, ok := m.source.obj["active"]; ok {
		restored["active"] = v
	} else {
		delete(restored, "active")
	}
	setLinks(restored, slices.DeleteFunc(anyList(a.obj["link"]), func(l any) bool {
		o, _ := l.(map[string]any)
		other, _ := o["other"].(map[string]any)
		return str(o["type"]) == "replaced-by" && str(other["reference"]) == from
	}))
	if _, err := w.put(restored); err != nil {
		return "", note, err
	}
	// the target: no replaces link; its pre-merge content if result-patient
	// replaced it and it did not change since
	nb := cloneObj(b.obj)
	if b.res.VersionID == m.targetAfter {
		nb = cloneObj(m.target.obj)
		delete(nb, "meta")
		keepTags(nb, b.obj)
	}
	setLinks(nb, slices.DeleteFunc(anyList(b.obj["link"]), func(l any) bool {
		o, _ := l.(map[string]any)
		other, _ := o["other"].(map[string]any)
		return str(o["type"]) == "replaces" && str(other["reference"]) == to
	}))
	if !sameContent(b.obj, nb) {
		if _, err := w.put(nb); err != nil {
			return "", note, err
		}
	}
	gid, err = w.rejoin(a.id(), b.id(), m, prov)
	return gid, note, err
}

// rejoin gives the unmerged registration a golden record: the one it left at
// the merge if that was not the target's and still exists (reactivated if
// the merge retired it), else a new one; the target's record is recomputed
// and the pair remembered as different people.
func (w *work) rejoin(a, b string, m *merged, prov string) (string, error) {
	gb, err := w.goldenOf(b)
	if err != nil {
		return "", err
	}
	var g *patient
	if m.goldenA != nil && (gb == nil || m.goldenA.res.ID != gb.id()) {
		if cur, err := w.patient("provincial.Unmerge", m.goldenA.res.ID); err == nil && cur.golden() {
			g, err = w.refresh(cur.id(), reopen(cur), append(cur.members(), a), "")
			if err != nil {
				return "", err
			}
		}
	}
	if g == nil {
		if g, err = w.refresh(w.tx.NewID(), nil, []string{a}, ""); err != nil {
			return "", err
		}
	}
	src, err := w.patient("provincial.Unmerge", a)
	if err != nil {
		return "", err
	}
	if _, err := w.setRefer(src, g.id()); err != nil {
		return "", err
	}
	if gb != nil {
		if _, err := w.refresh(gb.id(), gb, gb.members(), ""); err != nil {
			return "", err
		}
		tasks, err := w.reviews(a)
		if err != nil {
			return "", err
		}
		if err := w.remember(a, gb.id(), said("note.unmerge-diff"), prov, tasks); err != nil {
			return "", err
		}
	}
	return g.id(), nil
}

// reopen is a retired golden record without its "replaced-by" link, as the
// prev of a refresh that brings registrations back.
func reopen(g *patient) *patient {
	obj := cloneObj(g.obj)
	setLinks(obj, slices.DeleteFunc(anyList(obj["link"]), func(l any) bool {
		o, _ := l.(map[string]any)
		return str(o["type"]) == "replaced-by"
	}))
	return &patient{res: g.res, obj: obj}
}

func (w *work) unmergeGoldens(a, b *patient, m *merged, prov string) (string, error) {
	back := []string{}
	for _, id := range m.source.members() {
		if slices.Contains(b.members(), id) {
			back = append(back, id)
		}
	}
	prevB := &patient{res: b.res, obj: cloneObj(b.obj)}
	setLinks(prevB.obj, slices.DeleteFunc(anyList(b.obj["link"]), func(l any) bool {
		o, _ := l.(map[string]any)
		other, _ := o["other"].(map[string]any)
		return str(o["type"]) == "replaces" && str(other["reference"]) == "Patient/"+a.id()
	}))
	rest := slices.DeleteFunc(b.members(), func(x string) bool { return slices.Contains(back, x) })
	if _, err := w.refresh(b.id(), prevB, rest, ""); err != nil {
		return "", err
	}
	if _, err := w.refresh(a.id(), reopen(a), back, ""); err != nil {
		return "", err
	}
	for _, id := range back {
		src, err := w.patient("provincial.Unmerge", id)
		if err != nil {
			return "", err
		}
		if _, err := w.setRefer(src, a.id()); err != nil {
			return "", err
		}
		tasks, err := w.reviews(id)
		if err != nil {
			return "", err
		}
		if err := w.remember(id, b.id(), said("note.unmerged"), prov, tasks); err != nil {
			return "", err
		}
	}
	return a.id(), nil
}

func setLinks(obj fhir.Object, links []any) {
	delete(obj, "link")
	if len(links) > 0 {
		obj["link"] = links
	}
}
