package provincial

import (
	"fmt"
	"slices"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
)

// observation is a clinical resource of Patient/patient's compartment.
func (e *env) observation(id, patient, encounter string) {
	e.t.Helper()
	o := fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final",
		"code":{"text":"poids"},"subject":{"reference":"Patient/%s"},
		"performer":[{"reference":"Patient/%s"}],"valueQuantity":{"value":70,"unit":"kg"}}`, id, patient, patient)
	if encounter != "" {
		o = fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","code":{"text":"poids"},
			"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/%s"}}`, id, patient, encounter)
	}
	if _, err := e.api.Update(e.ctx, "Observation", id, []byte(o), 0); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) subject(typ, id string) string {
	e.t.Helper()
	res, err := e.raw.Read(e.ctx, typ, id)
	if err != nil {
		e.t.Fatal(err)
	}
	obj, _ := fhir.Decode(res.Body)
	s, _ := obj["subject"].(map[string]any)
	return str(s["reference"])
}

func (e *env) versions() int {
	e.t.Helper()
	p, err := e.raw.History(e.ctx, dsn.HistoryQuery{Count: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Total
}

// Two charts of one person: the merge re-points the clinical resources,
// retires the source with a replaced-by link, keeps every version; bad
// requests are refused with nothing written; the unmerge puts back exactly
// what the merge changed and keeps the two apart from then on.
func TestMergeUnmergeRegistrations(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.put("s2", marieB)
	e.drain()
	g := e.golden("s1")
	e.observation("o1", "s1", "")
	e.observation("o2", "s1", "")
	e.observation("o3", "s2", "")
	before := e.versions()

	for _, bad := range []struct {
		req  MergeRequest
		kind dsn.Kind
	}{
		{MergeRequest{Source: "s1", Target: "s1"}, dsn.KindUnprocessable},
		{MergeRequest{Source: "nope", Target: "s2"}, dsn.KindNotFound},
		{MergeRequest{Source: "s1", Target: g}, dsn.KindUnprocessable},
		{MergeRequest{Source: "s1", Target: "s2", Result: fhir.Object{"resourceType": "Patient", "id": "s3"}}, dsn.KindUnprocessable},
	} {
		_, err := e.svc.Merge(e.ctx, archivist, bad.req)
		wantKind(t, err, bad.kind)
	}
	preview, err := e.svc.Merge(e.ctx, archivist, MergeRequest{Source: "s1", Target: "s2", Preview: true})
	if err != nil || preview.Moved != 2 || preview.Target == nil {
		t.Fatalf("preview: %+v, %v", preview, err)
	}
	if e.versions() != before {
		t.Fatal("a refused or previewed merge wrote something")
	}

	res, err := e.svc.Merge(e.ctx, archivist, MergeRequest{Source: "s1", Target: "s2", Reason: "deux dossiers au même établissement"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 2 || res.Provenance == "" || e.subject("Observation", "o1") != "Patient/s2" {
		t.Fatalf("merge moved %d, provenance %q, o1 subject %s", res.Moved, res.Provenance, e.subject("Observation", "o1"))
	}
	s1 := e.read("s1")
	if s1["active"] != false || mergeProvenance(s1, "s2") != res.Provenance || len(mpi.Links(s1, "refer")) != 0 {
		t.Fatalf("merged source: %s", pretty(s1))
	}
	if !slices.Contains(mpi.Links(e.read("s2"), "replaces"), "s1") {
		t.Fatal("target lacks its replaces link")
	}
	if got := mpi.Links(e.read(g), "seealso"); !slices.Equal(got, []string{"s2"}) {
		t.Fatalf("golden seealso after merge = %v, want [s2]", got)
	}
	page, _ := e.raw.Search(e.ctx, dsn.SearchQuery{PatientKey: "s2", Type: "Observation"})
	if len(page.Matches) != 3 {
		t.Fatalf("target compartment holds %d Observations, want 3", len(page.Matches))
	}
	_, err = e.svc.Merge(e.ctx, archivist, MergeRequest{Source: "s1", Target: "s2"})
	wantKind(t, err, dsn.KindUnprocessable) // merged twice
	_, err = e.svc.Unmerge(e.ctx, archivist, "s2", "s1", "")
	wantKind(t, err, dsn.KindUnprocessable) // not merged that way

	// a clinician changes o2 after the merge: the unmerge keeps the change
	e.observation("o2", "s2", "")
	ures, err := e.svc.Unmerge(e.ctx, archivist, "s1", "s2", "erreur: deux personnes")
	if err != nil {
		t.Fatal(err)
	}
	if e.subject("Observation", "o1") != "Patient/s1" || e.subject("Observation", "o3") != "Patient/s2" {
		t.Fatalf("after unmerge o1 → %s, o3 → %s", e.subject("Observation", "o1"), e.subject("Observation", "o3"))
	}
	if e.subject("Observation", "o2") != "Patient/s1" {
		t.Fatalf("o2 (rewritten since, same reference) → %s", e.subject("Observation", "o2"))
	}
	s1 = e.read("s1")
	if _, ok := s1["active"]; ok || len(mpi.Links(s1, "replaced-by")) != 0 {
		t.Fatalf("unmerged source: %s", pretty(s1))
	}
	if len(mpi.Links(e.read("s2"), "replaces")) != 0 {
		t.Fatal("target keeps its replaces link")
	}
	if ng := e.golden("s1"); ng == g || ng != ures.Golden {
		t.Fatalf("unmerged source in %s (result %s); the target record is %s", ng, ures.Golden, g)
	}
	if len(e.tasks("s1")["rejected"]) != 1 {
		t.Fatalf("the unmerge did not remember the pair: %s", pretty(e.tasks("s1")))
	}
	_, err = e.svc.Unmerge(e.ctx, archivist, "s1", "s2", "")
	wantKind(t, err, dsn.KindUnprocessable) // unmerged twice
	if h, _ := e.raw.History(e.ctx, dsn.HistoryQuery{Type: "Observation", ID: "o1"}); h.Total != 3 {
		t.Fatalf("o1 has %d versions, want 3 (created, merged, unmerged)", h.Total)
	}
}

// A merge that fails halfway (a stored resource of the compartment that no
// longer validates) writes nothing at all.
func TestMergeAllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.put("s2", marieB)
	e.drain()
	e.observation("o1", "s1", "")
	bad := dsn.Write{Resource: dsn.Resource{Type: "Observation", ID: "legacy", VersionID: 1, Method: "PUT",
		LastUpdated: e.svc.clock.Now(),
		Body:        []byte(`{"resourceType":"Observation","id":"legacy","subject":{"reference":"Patient/s1"}}`)},
		PatientKey: "s1"}
	if err := e.raw.Write(e.ctx, func(tx dsn.Tx) error { return tx.Put(bad) }); err != nil {
		t.Fatal(err)
	}
	before := e.versions()
	_, err := e.svc.Merge(e.ctx, archivist, MergeRequest{Source: "s1", Target: "s2"})
	if err == nil {
		t.Fatal("merge over an invalid resource succeeded")
	}
	t.Logf("refused: %v", err)
	if e.versions() != before || e.subject("Observation", "o1") != "Patient/s1" || e.read("s1")["active"] == false {
		t.Fatal("a failed merge left writes behind")
	}
}

// Merging two golden records moves the registrations; unmerging moves them back.
func TestMergeUnmergeGoldens(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.put("s3", pierre)
	e.drain()
	g1, g2 := e.golden("s1"), e.golden("s3")
	res, err := e.svc.Merge(e.ctx, archivist, MergeRequest{Source: g1, Target: g2})
	if err != nil {
		t.Fatal(err)
	}
	if e.golden("s1") != g2 || res.Golden != g2 {
		t.Fatalf("s1 in %s after merging %s into %s", e.golden("s1"), g1, g2)
	}
	if old := e.read(g1); old["active"] != false || mergeProvenance(old, g2) != res.Provenance {
		t.Fatalf("retired golden record: %s", pretty(old))
	}
	_, err = e.svc.Merge(e.ctx, archivist, MergeRequest{Source: "s1", Target: g2})
	wantKind(t, err, dsn.KindUnprocessable) // registration into golden record
	if _, err := e.svc.Unmerge(e.ctx, archivist, g1, g2, "deux personnes"); err != nil {
		t.Fatal(err)
	}
	if e.golden("s1") != g1 || e.golden("s3") != g2 || e.read(g1)["active"] != true {
		t.Fatalf("after unmerge: s1 in %s, s3 in %s", e.golden("s1"), e.golden("s3"))
	}
	if len(e.tasks("s1")["rejected"]) != 1 {
		t.Fatal("the golden unmerge did not remember the pair")
	}
}
