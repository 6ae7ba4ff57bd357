package provincial

import (
	"fmt"
	"slices"

	"dsn"
	"dsn/internal/language/words"
	"dsn/mpi"
)

// maxProposals bounds the review Tasks one registration opens.
const maxProposals = 3

// linkOne applies the linking policy to Patient key (README.md, "Linking"):
//
//   - deleted, or merged into another: it leaves its golden record;
//   - already in a golden record with other registrations: it stays there
//     (only an archivist moves it) and the record's demographics are
//     recomputed — an update never silently moves a registration;
//   - otherwise (new, or alone in its record): the best golden record with
//     a certain match, none of whose registrations triggers a protective
//     rule against it → it joins that record (a record it was alone in is
//     retired, "replaced-by" the one it joined, and the Tasks proposing that
//     one are cancelled), and the link is recorded as a Provenance; else it
//     keeps its golden record of its own. Either way the other probable or
//     certain candidates go to the review queue. Golden records an
//     archivist rejected for it are never proposed again.
func (w *work) linkOne(key string, p plan) error {
	const op = "provincial.link"
	src, err := w.patient(op, key)
	switch dsn.KindOf(err) {
	case dsn.KindNotFound:
		return nil
	case dsn.KindGone:
		return w.leave(key, said("note.deleted"))
	}
	if err != nil {
		return err
	}
	if src.golden() {
		return nil
	}
	if src.merged() {
		return w.leave(key, said("note.merged"))
	}
	own, err := w.goldenOf(key)
	if err != nil {
		return err
	}
	if own != nil && len(own.members()) > 1 {
		if _, err := w.refresh(own.id(), own, own.members(), ""); err != nil {
			return err
		}
		_, err := w.setRefer(src, own.id())
		w.overlay[key] = own.id()
		return err
	}
	tasks, err := w.reviews(key)
	if err != nil {
		return err
	}
	cands := []candidate{}
	if p.ok {
		if cands, err = w.candidates(key, p, rejected(tasks), own); err != nil {
			return err
		}
	}
	var certain []candidate
	for _, c := range cands {
		if c.result.Class == mpi.Certain {
			certain = append(certain, c)
		}
	}
	if len(certain) > 0 {
		// The best certain record; the others (often registrations of the
		// same person whose own link job has not run yet: they will join
		// too) go to review while they stand apart.
		rest := slices.DeleteFunc(slices.Clone(cands), func(c candidate) bool { return c.golden == certain[0].golden })
		return w.join(src, own, certain[0], rest[:min(len(rest), maxProposals)], tasks)
	}
	if own == nil {
		if own, err = w.refresh(w.tx.NewID(), nil, []string{key}, ""); err != nil {
			return err
		}
	} else if own, err = w.refresh(own.id(), own, own.members(), ""); err != nil {
		return err
	}
	if _, err := w.setRefer(src, own.id()); err != nil {
		return err
	}
	w.overlay[key] = own.id()
	if len(cands) > maxProposals {
		cands = cands[:maxProposals]
	}
	return w.propose(src, cands, tasks)
}

// join links src to the golden record of c automatically: its own record
// (if it was alone there) is retired into it, open reviews are closed, and a
// Provenance records the score that decided it.
func (w *work) join(src *patient, own *patient, c candidate, rest []candidate, tasks []reviewTask) error {
	mark := len(w.written)
	target, err := w.patient("provincial.join", c.golden)
	if err != nil {
		return err
	}
	src, err = w.setRefer(src, c.golden)
	if err != nil {
		return err
	}
	if _, err := w.refresh(c.golden, target, append(target.members(), src.id()), ""); err != nil {
		return err
	}
	if own != nil {
		if _, err := w.refresh(own.id(), own, nil, c.golden); err != nil {
			return err
		}
	}
	w.overlay[src.id()] = c.golden
	if err := w.propose(src, rest, tasks); err != nil {
		return err
	}
	reason := words.Text{FR: fmt.Sprintf(storedWords["reason.auto"].FR, c.source, mpi.Explain(c.result)),
		EN: fmt.Sprintf(storedWords["reason.auto"].EN, c.source, mpi.ExplainIn(c.result, words.English))}
	_, err = w.provenance("", ActAutoLink, system, reason,
		[]entity{{role: "source", what: "Patient/" + c.source}}, w.written[mark:])
	return err
}

// leave takes a registration out of its golden record (deleted or merged):
// the record is recomputed, or retired if it was the last one; its open
// reviews are cancelled.
func (w *work) leave(key string, why words.Text) error {
	g, err := w.goldenOf(key)
	if err != nil || g == nil {
		return err
	}
	rest := slices.DeleteFunc(g.members(), func(s string) bool { return s == key })
	if _, err := w.refresh(g.id(), g, rest, ""); err != nil {
		return err
	}
	tasks, err := w.reviews(key)
	if err != nil {
		return err
	}
	return w.cancelOpen(tasks, why)
}

// candidates turns the index matches of a registration into golden records,
// best first, one per record: only probable or certain matches, through
// registrations already linked (one still waiting for its own job will find
// this one), never the registration's own record nor a rejected one. Each
// is checked in the transaction; a certain candidate whose record holds a
// registration that triggers a protective rule against this one (twins,
// parent and child, two NAMs…) is kept for review only.
func (w *work) candidates(key string, p plan, excluded map[string]bool, own *patient) ([]candidate, error) {
	var out []candidate
	seen := map[string]bool{}
	m := w.s.live.Matcher()
	for i := range p.matches {
		match := &p.matches[i]
		if match.Result.Class == mpi.NoMatch {
			continue
		}
		w.s.live.Explain(match) // the explanation goes into the Provenance or the review Task
		g, err := w.candidateGolden(match.ID)
		if err != nil {
			return nil, err
		}
		if g == nil || seen[g.id()] || excluded[g.id()] || own != nil && g.id() == own.id() {
			continue
		}
		gid := g.id()
		seen[gid] = true
		c := candidate{golden: gid, source: match.ID, result: match.Result, score: m.FHIRScore(match.Result)}
		if c.result.Class == mpi.Certain && w.conflicts(p.rec, g, key) {
			c.result.Class = mpi.Probable
			c.result.Rules = append(c.result.Rules, ruleOtherRegistration)
		}
		out = append(out, c)
	}
	return out, nil
}

// ruleOtherRegistration is the protective rule of a candidate held back by
// another registration of its golden record.
var ruleOtherRegistration = words.Text{
	FR: "une autre inscription de ce dossier provincial déclenche une règle de protection",
	EN: "another registration of this provincial record triggers a protective rule"}

// conflicts tells whether a registration of golden record g triggers a
// protective rule against rec.
func (w *work) conflicts(rec mpi.Record, g *patient, key string) bool {
	for _, id := range g.members() {
		if id == key {
			continue
		}
		if r, ok := w.s.live.Compare(rec, id); ok && len(r.Rules) > 0 {
			return true
		}
	}
	return false
}

// candidateGolden returns the golden record registration id belongs to:
// the one this batch gave it, or Live's, checked in the transaction; when
// Live is behind the store (another process linked or imported it: each
// process has its own index) the store is searched. nil when it has none
// in use.
func (w *work) candidateGolden(id string) (*patient, error) {
	gid := w.overlay[id]
	if gid == "" {
		gid = w.s.live.GoldenOf(id)
	}
	if gid != "" {
		g, err := w.patient("provincial.candidates", gid)
		if err != nil && dsn.KindOf(err) != dsn.KindNotFound && dsn.KindOf(err) != dsn.KindGone {
			return nil, err
		}
		if err == nil && g.golden() && !g.merged() && slices.Contains(g.members(), id) {
			return g, nil
		}
	}
	g, err := w.goldenOf(id)
	if err != nil || g == nil || g.merged() {
		return nil, err
	}
	return g, nil
}
