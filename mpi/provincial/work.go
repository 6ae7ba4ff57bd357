package provincial

import (
	"context"
	"net/url"
	"slices"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
	"dsn/repo"
)

// work is one transaction of the service: it reads and writes through the
// repo.Tx and remembers what it wrote, for the Provenance.
type work struct {
	s       *Service
	tx      *repo.Tx
	now     time.Time
	written []dsn.Resource
	// overlay maps sources to the golden record this transaction gave them,
	// for the links decided earlier in the same batch (Live learns them only
	// after the commit).
	overlay map[string]string
	// intoProv, when set, is the Provenance a retired golden record's
	// "replaced-by" link names (a merge of golden records).
	intoProv string
	// mergedFrom is the golden record the merged registration left.
	mergedFrom *patient
}

// atomic runs fn in one transaction. fn may run more than once: each run
// starts with a fresh work.
func (s *Service) atomic(ctx context.Context, fn func(*work) error) ([]dsn.Resource, error) {
	var w *work
	err := s.repo.Atomic(ctx, func(tx *repo.Tx) error {
		w = &work{s: s, tx: tx, now: s.clock.Now(), overlay: map[string]string{}}
		return fn(w)
	})
	if err != nil {
		return nil, err
	}
	return w.written, nil
}

// patient is a Patient read in the transaction.
type patient struct {
	res dsn.Resource
	obj fhir.Object
}

func (p *patient) id() string        { return p.res.ID }
func (p *patient) golden() bool      { return mpi.IsGolden(p.obj) }
func (p *patient) merged() bool      { return len(mpi.Links(p.obj, "replaced-by")) > 0 }
func (p *patient) ref() string       { return "Patient/" + p.res.ID }
func (p *patient) members() []string { return mpi.Links(p.obj, "seealso") }

// patient reads Patient/id. Errors: KindNotFound, KindGone (French messages).
func (w *work) patient(op, id string) (*patient, error) {
	res, err := w.tx.Read("Patient", id)
	if err != nil {
		switch dsn.KindOf(err) {
		case dsn.KindNotFound:
			return nil, fail(op, dsn.KindNotFound, "patient.missing", id)
		case dsn.KindGone:
			return nil, fail(op, dsn.KindGone, "patient.deleted", id)
		}
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return &patient{res: res, obj: obj}, nil
}

// put writes obj and notes the version for the Provenance.
func (w *work) put(obj fhir.Object) (dsn.Resource, error) {
	res, err := w.tx.Put(obj)
	if err != nil {
		return res, err
	}
	w.written = append(w.written, res)
	return res, nil
}

// goldenOf returns the golden record that lists source among its "seealso"
// links (nil if none), searched in the transaction so it sees this
// transaction's own writes. Should several list it (a registration deleted
// and created again before the linker ran), the one it refers to wins and
// the others let it go.
func (w *work) goldenOf(source string) (*patient, error) {
	found, err := w.tx.Find("Patient", url.Values{
		"link": {"Patient/" + source}, "_tag": {mpi.System + "|" + mpi.GoldenCode}})
	if err != nil {
		return nil, err
	}
	var all []*patient
	for _, res := range found {
		obj, err := fhir.Decode(res.Body)
		if err != nil {
			return nil, dsn.Wrap("provincial.goldenOf", dsn.KindInternal, err)
		}
		if p := (&patient{res: res, obj: obj}); slices.Contains(p.members(), source) {
			all = append(all, p)
		}
	}
	if len(all) <= 1 {
		if len(all) == 0 {
			return nil, nil
		}
		return all[0], nil
	}
	keep := all[0]
	if src, err := w.patient("provincial.goldenOf", source); err == nil {
		for _, g := range all {
			if slices.Contains(mpi.Links(src.obj, "refer"), g.id()) {
				keep = g
			}
		}
	}
	for _, g := range all {
		if g != keep {
			rest := slices.DeleteFunc(g.members(), func(x string) bool { return x == source })
			if _, err := w.refresh(g.id(), g, rest, ""); err != nil {
				return nil, err
			}
		}
	}
	return keep, nil
}

// sources reads the members of a golden record that still count: existing,
// not deleted, not merged away.
func (w *work) sources(ids []string) ([]source, error) {
	var out []source
	for _, id := range ids {
		p, err := w.patient("provincial.sources", id)
		if err != nil {
			if k := dsn.KindOf(err); k == dsn.KindNotFound || k == dsn.KindGone {
				continue
			}
			return nil, err
		}
		if p.golden() || p.merged() {
			continue
		}
		ms, _ := p.obj["meta"].(map[string]any)
		out = append(out, source{id: id, updated: p.res.LastUpdated, obj: p.obj, trust: w.s.trust[str(ms["source"])]})
	}
	return out, nil
}

// refresh (re)writes golden record gid (prev is its current version, nil for
// a new one) for these members: demographics by survivorship, one "seealso"
// per member. With no member left the record is retired: inactive, its
// demographics kept, a "replaced-by" link to into when given. "replaces"
// links (golden records merged into this one) are kept. It writes only when
// something changed and returns the record as written.
func (w *work) refresh(gid string, prev *patient, members []string, into string) (*patient, error) {
	ss, err := w.sources(members)
	if err != nil {
		return nil, err
	}
	var g fhir.Object
	if len(ss) == 0 && prev != nil {
		g = cloneObj(prev.obj)
		g["active"] = false
		delete(g, "meta")
		delete(g, "link")
	} else {
		g = survive(ss, w.now)
	}
	var links []any
	if prev != nil {
		for _, l := range objs(prev.obj["link"]) {
			if str(l["type"]) == "replaces" {
				links = append(links, l)
			}
		}
	}
	if len(ss) == 0 && into != "" {
		if w.intoProv != "" {
			links = append(links, linkWithProvenance("Patient/"+into, "replaced-by", w.intoProv))
		} else {
			links = append(links, link("Patient/"+into, "replaced-by"))
		}
	}
	dress(g, gid, ss, links)
	if prev != nil && sameContent(prev.obj, g) {
		return prev, nil
	}
	if len(ss) == 0 && prev != nil {
		if err := w.cancelFor(gid, said("note.golden-empty")); err != nil {
			return nil, err
		}
	}
	res, err := w.put(g)
	if err != nil {
		return nil, err
	}
	return &patient{res: res, obj: g}, nil
}

// dress makes g the golden record gid of sources ss: the golden tag (and
// the tags every source shares), extra links, then one "seealso" per source.
func dress(g fhir.Object, gid string, ss []source, extra []any) {
	g["id"] = gid
	g["meta"] = map[string]any{"tag": goldenTags(ss)}
	links := extra
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.id
	}
	slices.Sort(ids)
	for _, id := range ids {
		links = append(links, link("Patient/"+id, "seealso"))
	}
	if len(links) > 0 {
		g["link"] = links
	}
}

// goldenTags is the golden tag plus the tags every source carries (the
// demo's "données fictives" tag, say).
func goldenTags(ss []source) []any {
	tags := []any{map[string]any{"system": mpi.System, "code": mpi.GoldenCode, "display": "Dossier provincial"}}
	if len(ss) == 0 {
		return tags
	}
	ms, _ := ss[0].obj["meta"].(map[string]any)
	for _, t := range objs(ms["tag"]) {
		common := true
		for _, s := range ss[1:] {
			m, _ := s.obj["meta"].(map[string]any)
			if !slices.ContainsFunc(objs(m["tag"]), func(o map[string]any) bool {
				return str(o["system"]) == str(t["system"]) && str(o["code"]) == str(t["code"])
			}) {
				common = false
				break
			}
		}
		if common && !(str(t["system"]) == mpi.System && str(t["code"]) == mpi.GoldenCode) {
			tags = append(tags, t)
		}
	}
	return tags
}

// setRefer makes src point at golden gid with one "refer" link (none when gid
// is ""), dropping refer links to other golden records; other links stay. It
// writes src only if its links changed.
func (w *work) setRefer(src *patient, gid string) (*patient, error) {
	var links []any
	for _, l := range objs(src.obj["link"]) {
		if str(l["type"]) == "refer" {
			if other, _ := l["other"].(map[string]any); w.isGoldenRef(str(other["reference"])) {
				continue
			}
		}
		links = append(links, l)
	}
	if gid != "" {
		links = append(links, link("Patient/"+gid, "refer"))
	}
	next := cloneObj(src.obj)
	delete(next, "link")
	if len(links) > 0 {
		next["link"] = links
	}
	if sameContent(src.obj, next) {
		return src, nil
	}
	res, err := w.put(next)
	if err != nil {
		return nil, err
	}
	return &patient{res: res, obj: next}, nil
}

// isGoldenRef tells whether a "Patient/x" reference names a golden record.
func (w *work) isGoldenRef(ref string) bool {
	id, ok := cutPatient(ref)
	if !ok {
		return false
	}
	if w.s.live != nil && w.s.live.IsGolden(id) {
		return true
	}
	p, err := w.patient("provincial.isGoldenRef", id)
	return err == nil && p.golden()
}

func link(ref, typ string) map[string]any {
	return map[string]any{"other": map[string]any{"reference": ref}, "type": typ}
}

func cloneObj(o fhir.Object) fhir.Object { return cloneValue(o).(map[string]any) }

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = cloneValue(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = cloneValue(x)
		}
		return a
	}
	return v
}

func cutPatient(ref string) (string, bool) {
	const p = "Patient/"
	if len(ref) <= len(p) || ref[:len(p)] != p {
		return "", false
	}
	id := ref[len(p):]
	for i := 0; i < len(id); i++ {
		if id[i] == '/' {
			return "", false
		}
	}
	return id, true
}
