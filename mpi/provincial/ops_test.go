package provincial

import (
	"slices"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
)

var archivist = Actor{Display: "archiviste de test"}

// Accepting a review Task links the registration; the Task is completed
// with the Provenance as output; its old golden record is retired into the new one.
func TestAcceptAndReject(t *testing.T) {
	e := newEnv(t)
	e.put("s1", pierreN)
	e.drain()
	swapped := person{family: "Tremblay", given: "Pierre", birth: "1965-05-03", gender: "male"}
	e.put("s2", swapped)
	e.drain()
	old := e.golden("s2")
	task := fhir.ID(e.tasks("s2")["requested"][0])
	res, err := e.svc.Accept(e.ctx, archivist, task, "même personne, date inversée à l'accueil")
	if err != nil {
		t.Fatal(err)
	}
	if e.golden("s2") != e.golden("s1") || res.Golden != e.golden("s1") || res.Provenance == "" {
		t.Fatalf("after accept: s2 in %s, s1 in %s, result golden %s provenance %q", e.golden("s2"), e.golden("s1"), res.Golden, res.Provenance)
	}
	if retired := e.read(old); retired["active"] != false || !slices.Equal(mpi.Links(retired, "replaced-by"), []string{e.golden("s1")}) {
		t.Fatalf("old golden record not retired into the new one: %s", pretty(retired))
	}
	if done := e.tasks("s2")["completed"]; len(done) != 1 {
		t.Fatalf("Task after accept: %s", pretty(e.tasks("s2")))
	}
	_, err = e.svc.Accept(e.ctx, archivist, task, "")
	wantKind(t, err, dsn.KindUnprocessable) // already decided
	_, err = e.svc.Reject(e.ctx, archivist, "nope", "")
	wantKind(t, err, dsn.KindNotFound)

	// a rejected proposal is never made again
	typo := person{family: "Tremblay", given: "Pierre", birth: "1965-03-15", gender: "male"}
	e.put("s3", typo)
	e.drain()
	open := e.tasks("s3")["requested"]
	if len(open) != 1 {
		t.Fatalf("s3 Tasks: %s", pretty(e.tasks("s3")))
	}
	if _, err := e.svc.Reject(e.ctx, archivist, fhir.ID(open[0]), "jumeaux"); err != nil {
		t.Fatal(err)
	}
	e.put("s3", typo) // relinking after an update
	e.drain()
	if tasks := e.tasks("s3"); len(tasks["requested"]) != 0 || len(tasks["rejected"]) != 1 {
		t.Fatalf("after reject and relink: %s", pretty(tasks))
	}
}

// Link and unlink move a registration between golden records; unlinking
// remembers the pair as different people.
func TestLinkUnlink(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.put("s2", marieB)
	e.put("s3", pierre)
	e.drain()
	gm, gp := e.golden("s1"), e.golden("s3")
	res, err := e.svc.Unlink(e.ctx, archivist, "s2", "erreur d'identification")
	if err != nil {
		t.Fatal(err)
	}
	if g := e.golden("s2"); g == gm || g != res.Golden {
		t.Fatalf("after unlink s2 is in %s (result %s), was %s", g, res.Golden, gm)
	}
	if got := mpi.Links(e.read(gm), "seealso"); !slices.Equal(got, []string{"s1"}) {
		t.Fatalf("golden seealso after unlink = %v", got)
	}
	if len(e.tasks("s2")["rejected"]) != 1 {
		t.Fatalf("unlink did not remember the pair: %s", pretty(e.tasks("s2")))
	}
	e.put("s2", marieB) // an update relinks: never back to the record it was unlinked from
	e.drain()
	if e.golden("s2") == gm {
		t.Fatal("the linker joined an unlinked pair again")
	}
	_, err = e.svc.Unlink(e.ctx, archivist, "s1", "")
	wantKind(t, err, dsn.KindUnprocessable) // alone in its record
	if _, err := e.svc.Link(e.ctx, archivist, "s2", gp, "test"); err != nil {
		t.Fatal(err)
	}
	if e.golden("s2") != gp {
		t.Fatal("Link did not move s2")
	}
	_, err = e.svc.Link(e.ctx, archivist, "s2", gp, "")
	wantKind(t, err, dsn.KindUnprocessable) // already there
	_, err = e.svc.Link(e.ctx, archivist, "s2", "s1", "")
	wantKind(t, err, dsn.KindUnprocessable) // not a golden record
	_, err = e.svc.Link(e.ctx, archivist, "zzz", gp, "")
	wantKind(t, err, dsn.KindNotFound)
}
