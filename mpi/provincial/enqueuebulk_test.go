package provincial

import (
	"slices"
	"testing"

	"dsn/fhir"
	"dsn/mpi"
)

// The bulk import (repo.Service.Import → enqueueTx.PutAll) gives each new
// registration what a PUT gives it: one golden record listing it, its
// "refer" link (a client's own refer link replaced, other links kept), and a
// link job, queued in the same transaction.
func TestImportNewRegistrationsGetGoldenRecords(t *testing.T) {
	e := newEnv(t)
	p1 := fhir.Object{"resourceType": "Patient", "id": "r1", "gender": "female", "birthDate": "1950-02-03",
		"name": []any{map[string]any{"family": "Tremblay", "given": []any{"Marie"}}},
		"link": []any{
			map[string]any{"type": "refer", "other": map[string]any{"reference": "Patient/ailleurs"}},
			map[string]any{"type": "seealso", "other": map[string]any{"reference": "Patient/autre"}},
		}}
	p2 := fhir.Object{"resourceType": "Patient", "id": "r2", "gender": "male", "birthDate": "1961-07-08",
		"name": []any{map[string]any{"family": "Gagnon", "given": []any{"Luc"}}}}
	obs := fhir.Object{"resourceType": "Observation", "id": "o1", "status": "final",
		"code": map[string]any{"text": "poids"}, "subject": map[string]any{"reference": "Patient/r1"}}
	_, errs := e.api.Import(e.ctx, []fhir.Object{p1, obs, p2})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	g1, g2 := e.golden("r1"), e.golden("r2")
	if g1 == g2 {
		t.Fatalf("two registrations share golden record %s", g1)
	}
	if !slices.Contains(mpi.Links(e.read("r1"), "seealso"), "autre") {
		t.Fatalf("the client's seealso link was dropped: %s", fhir.Encode(e.read("r1")))
	}
	jobs, err := e.raw.Jobs(e.ctx, JobLink, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, j := range jobs {
		keys = append(keys, j.Key)
	}
	if !slices.Equal(keys, []string{"r1", "r2"}) {
		t.Fatalf("link jobs %v, want [r1 r2]", keys)
	}
	e.drain()
	if e.golden("r1") == e.golden("r2") {
		t.Fatal("the linker merged two different people")
	}
}
