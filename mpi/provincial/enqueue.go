package provincial

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strings"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
	"dsn/search"
)

// EnqueueOptions configures Enqueue; every field has a default.
type EnqueueOptions struct {
	Clock dsn.Clock    // job times (default dsn.SystemClock)
	IDs   dsn.IDSource // ids of new golden records (default dsn.TimeOrderedIDs)
	// Notify is called after a commit that queued jobs: Service.Notify wakes
	// the linker. nil in another process (dsn import): the linker polls.
	Notify func()
}

// Enqueue wraps st for every writer other than the Service itself (the FHIR
// API, Bundles, imports, the demo loader). For each Patient version it
// stores, in the same transaction:
//
//   - a new registration gets a golden record of its own and a "refer"
//     link to it, so that "each registration belongs to exactly one golden
//     record" holds from its first commit;
//   - an update keeps the links the MPI manages — the "refer" link to the
//     golden record, a merge's "replaced-by" — even when the client's body
//     leaves them out, so a client's PUT neither unlinks nor un-merges. DSN
//     manages every "refer" link between Patients: one a client sends is
//     replaced (an export of another DSN carries links to its own golden
//     records);
//   - a JobLink job is queued: the linker compares the registration with
//     the others after the commit (matching is too slow for the writer),
//     and the job cannot be lost between the two.
//
// Golden records belong to the MPI: a write that creates, changes or
// deletes one through st is refused (422) — archivists change them through
// the operations ($mpi-link, $merge…), which write through the Service.
func Enqueue(st dsn.Store, o EnqueueOptions) dsn.Store {
	if o.Clock == nil {
		o.Clock = dsn.SystemClock{}
	}
	if o.IDs == nil {
		o.IDs = dsn.TimeOrderedIDs{}
	}
	return &enqueueStore{Store: st, o: o}
}

type enqueueStore struct {
	dsn.Store
	o EnqueueOptions
}

var _ dsn.Store = (*enqueueStore)(nil)

// Unwrap gives the store behind: reads are its own (dsn.Unwrapper).
func (e *enqueueStore) Unwrap() dsn.Store { return e.Store }

func (e *enqueueStore) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	queued := false
	err := e.Store.Write(ctx, func(tx dsn.Tx) error {
		queued = false // fn may run more than once
		return fn(enqueueTx{Tx: tx, s: e, queued: &queued})
	})
	if err == nil && queued && e.o.Notify != nil {
		e.o.Notify()
	}
	return err
}

type enqueueTx struct {
	dsn.Tx
	s      *enqueueStore
	queued *bool
}

var _ dsn.Tx = enqueueTx{}

func (t enqueueTx) Put(w dsn.Write) error {
	if w.Type != "Patient" {
		return t.Tx.Put(w)
	}
	if goldenIndex(w.Index) || w.VersionID > 1 && t.currentGolden(w.ID) {
		e := fail("provincial.Enqueue", dsn.KindUnprocessable, "golden.managed", w.ID)
		e.Issues = []dsn.Issue{{Severity: "error", Code: "business-rule", Diagnostics: e.Msg, English: e.English, Expression: "Patient.meta.tag"}}
		return e
	}
	if !w.Deleted {
		var err error
		if w, err = t.withGolden(w); err != nil {
			return err
		}
	}
	if err := t.Tx.Put(w); err != nil {
		return err
	}
	*t.queued = true
	return t.Tx.AddJob(dsn.Job{Kind: JobLink, Key: w.ID, Created: t.s.o.Clock.Now()})
}

// withGolden returns w with the links the MPI manages, creating the golden
// record of a new registration (see Enqueue).
func (t enqueueTx) withGolden(w dsn.Write) (dsn.Write, error) {
	const op = "provincial.Enqueue"
	obj, err := fhir.Decode(w.Body)
	if err != nil {
		return w, dsn.Wrap(op, dsn.KindInternal, err)
	}
	var kept []any // the managed links of the current version
	gid, existed := "", false
	if w.VersionID > 1 {
		if cur, err := t.Tx.Read("Patient", w.ID); err == nil {
			existed = true
			kept = mergeLinks(cur.Body)
			if gid, err = t.goldenOf(w.ID); err != nil {
				return w, err
			}
		}
	}
	merged := len(kept) > 0
	if gid == "" && existed && !merged {
		return w, nil // written before the MPI, or its job is pending: the linker decides
	}
	if gid == "" && !merged {
		gid = t.s.o.IDs.NewID()
		if err := t.putGolden(gid, w, obj); err != nil {
			return w, err
		}
		if obj["link"] == nil {
			if nw, ok := withReferLink(w, gid); ok {
				return nw, nil // what the rewrite below gives, without it
			}
		}
	}
	links := kept
	for _, l := range objs(obj["link"]) {
		typ := str(l["type"])
		other, _ := l["other"].(map[string]any)
		ref := str(other["reference"])
		if typ == "refer" && strings.HasPrefix(ref, "Patient/") ||
			merged && typ == "replaced-by" && slices.ContainsFunc(kept, func(k any) bool { return sameLink(k, l) }) {
			continue // managed: set below (or kept above)
		}
		links = append(links, l)
	}
	if !merged {
		links = append(links, link("Patient/"+gid, "refer"))
	}
	delete(obj, "link")
	if len(links) > 0 {
		obj["link"] = links
	}
	return rewrite(w, obj)
}

// putGolden writes the golden record of a new registration (version 1, the
// registration's time), built by the survivorship rules from it alone.
func (t enqueueTx) putGolden(gid string, w dsn.Write, obj fhir.Object) error {
	g, err := goldenWrite(gid, w, obj)
	if err != nil {
		return err
	}
	return t.Tx.Put(g)
}

// goldenWrite builds version 1 of the golden record gid of registration w
// (decoded as obj) by the survivorship rules from it alone.
func goldenWrite(gid string, w dsn.Write, obj fhir.Object) (dsn.Write, error) {
	ss := []source{{id: w.ID, updated: w.LastUpdated, obj: obj}}
	g := survive(ss, w.LastUpdated)
	dress(g, gid, ss, nil)
	fhir.SetMeta(g, "1", w.LastUpdated)
	ix, key, err := search.Extract(g)
	if err != nil {
		return dsn.Write{}, dsn.Wrap("provincial.Enqueue", dsn.KindInternal, err)
	}
	return dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: gid, VersionID: 1,
		LastUpdated: w.LastUpdated, Method: "POST", Body: fhir.Encode(g)}, PatientKey: key, Index: ix}, nil
}

// rewrite re-encodes w's body and re-extracts its index rows.
func rewrite(w dsn.Write, obj fhir.Object) (dsn.Write, error) {
	ix, key, err := search.Extract(obj)
	if err != nil {
		return w, dsn.Wrap("provincial.Enqueue", dsn.KindInternal, err)
	}
	w.Body, w.Index, w.PatientKey = fhir.Encode(obj), ix, key
	return w, nil
}

// goldenOf finds the golden record listing Patient id, inside the transaction.
func (t enqueueTx) goldenOf(id string) (string, error) {
	q, _, err := search.Parse("Patient", url.Values{"link": {"Patient/" + id},
		"_tag": {mpi.System + "|" + mpi.GoldenCode}}, true)
	if err != nil {
		return "", dsn.Wrap("provincial.Enqueue", dsn.KindInternal, err)
	}
	q.Type, q.Count = "Patient", 10
	res, err := t.Tx.Search(q)
	if err != nil {
		return "", err
	}
	for _, r := range res.Matches {
		if obj, err := fhir.Decode(r.Body); err == nil && slices.Contains(mpi.Links(obj, "seealso"), id) {
			return r.ID, nil
		}
	}
	return "", nil
}

// mergeLinks returns the "replaced-by" links a merge wrote (they name its Provenance).
func mergeLinks(body []byte) []any {
	if !bytes.Contains(body, []byte(ProvenanceExt)) {
		return nil
	}
	obj, err := fhir.Decode(body)
	if err != nil {
		return nil
	}
	var out []any
	for _, l := range objs(obj["link"]) {
		if isMergeLink(l) {
			out = append(out, l)
		}
	}
	return out
}

func isMergeLink(l map[string]any) bool {
	if str(l["type"]) != "replaced-by" {
		return false
	}
	for _, x := range objs(l["extension"]) {
		if str(x["url"]) == ProvenanceExt {
			return true
		}
	}
	return false
}

func sameLink(a any, b map[string]any) bool {
	am, _ := a.(map[string]any)
	ao, _ := am["other"].(map[string]any)
	bo, _ := b["other"].(map[string]any)
	return str(am["type"]) == str(b["type"]) && str(ao["reference"]) == str(bo["reference"])
}

// goldenIndex reads the golden tag from the version's _tag index rows (no decoding).
func goldenIndex(ix dsn.Index) bool {
	for _, k := range ix.Tokens {
		if k.Param == "_tag" && k.System == mpi.System && k.Code == mpi.GoldenCode {
			return true
		}
	}
	return false
}

// currentGolden tells whether the current version of Patient/id is golden.
func (t enqueueTx) currentGolden(id string) bool {
	cur, err := t.Tx.Read("Patient", id)
	if err != nil || !bytes.Contains(cur.Body, []byte(mpi.System)) {
		return false
	}
	obj, err := fhir.Decode(cur.Body)
	return err == nil && mpi.IsGolden(obj)
}

// StripManaged removes, in place, the Patient links the MPI maintains — every
// "refer" link and a merge's "replaced-by" — so that an import of the same
// registration compares equal to what is stored (repo.Options.Managed);
// Enqueue puts them back on every write anyway.
func StripManaged(obj fhir.Object) {
	if fhir.ResourceType(obj) != "Patient" || obj["link"] == nil {
		return
	}
	var keep []any
	for _, l := range objs(obj["link"]) {
		if str(l["type"]) == "refer" || isMergeLink(l) {
			continue
		}
		keep = append(keep, l)
	}
	delete(obj, "link")
	if len(keep) > 0 {
		obj["link"] = keep
	}
}

// WithoutGolden wraps st so that searches leave golden records out: for
// dsn export, since golden records are derived data that the importing
// store rebuilds by linking (their ids, and the review decisions naming
// them, do not carry over: a database backup does).
func WithoutGolden(st dsn.Store) dsn.Store { return withoutGolden{st} }

type withoutGolden struct{ dsn.Store }

func (w withoutGolden) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	res, err := w.Store.Search(ctx, q)
	res.Matches = slices.DeleteFunc(res.Matches, isGoldenResource)
	return res, err
}

// Unfilter lets a bulk export read by key ranges behind the wrapper, golden
// records still left out (dsn.Filter).
func (w withoutGolden) Unfilter() (dsn.Store, func(dsn.Resource) bool) {
	return w.Store, func(r dsn.Resource) bool { return !isGoldenResource(r) }
}

// isGoldenResource tells whether r is a golden record (reading only the
// meta.tag of the Patients that mention the MPI's system).
func isGoldenResource(r dsn.Resource) bool {
	return r.Type == "Patient" && mpi.IsGoldenBody(r.Body)
}
