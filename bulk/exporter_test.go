package bulk

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/repo"
)

// loadCohort stores three patients with two Observations each, an
// Organization, and Group g with p1 and p3 (p2 is an inactive member).
func loadCohort(t *testing.T, st dsn.Store) {
	t.Helper()
	var objs []fhir.Object
	add := func(s string) {
		obj, err := fhir.Decode([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, obj)
	}
	for _, p := range []string{"p1", "p2", "p3"} {
		add(`{"resourceType":"Patient","id":"` + p + `","gender":"female"}`)
		for _, o := range []string{"a", "b"} {
			add(`{"resourceType":"Observation","id":"` + p + o + `","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/` + p + `"}}`)
		}
	}
	add(`{"resourceType":"Organization","id":"org","name":"CIUSSS"}`)
	add(`{"resourceType":"Group","id":"g","type":"person","actual":true,"member":[
		{"entity":{"reference":"Patient/p1"}},{"entity":{"reference":"Patient/p2"},"inactive":true},
		{"entity":{"reference":"Patient/p3"}},{"entity":{"reference":"Patient/p1"}}]}`)
	_, errs := repo.New(repo.Options{Store: st}).Import(context.Background(), objs)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func newExporter(t *testing.T, st dsn.Store, o ExporterOptions) *Exporter {
	t.Helper()
	o.Store, o.Jobs = st, st.(dsn.ExportJobs)
	e := NewExporter(o)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// wait polls a job until it is finished.
func wait(t *testing.T, e *Exporter, id string) dsn.ExportJob {
	t.Helper()
	for range 500 {
		j, err := e.Job(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == dsn.ExportCompleted || j.Status == dsn.ExportFailed {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the export job does not finish")
	return dsn.ExportJob{}
}

// ids reads every file of a completed job and returns Type/id of each line, sorted.
func ids(t *testing.T, e *Exporter, j dsn.ExportJob) []string {
	t.Helper()
	var out []string
	for n, f := range j.Output {
		var buf bytes.Buffer
		if err := e.WriteFile(context.Background(), j.ID, n+1, &buf); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != f.Count {
			t.Fatalf("file %d (%s) has %d lines, the manifest says %d", n+1, f.Type, len(lines), f.Count)
		}
		for _, l := range lines {
			obj, err := fhir.Decode([]byte(l))
			if err != nil || fhir.ResourceType(obj) != f.Type {
				t.Fatalf("file %d (%s): line %q (%v)", n+1, f.Type, l, err)
			}
			out = append(out, f.Type+"/"+fhir.ID(obj))
		}
	}
	sort.Strings(out)
	return out
}

func TestExporterLevels(t *testing.T) {
	st := openStore(t)
	loadCohort(t, st)
	// tiny files and parts: several files per type, several parts per file
	e := newExporter(t, st, ExporterOptions{PartSize: 100, FileMax: 2})
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{}, "Group/g Observation/p1a Observation/p1b Observation/p2a Observation/p2b Observation/p3a Observation/p3b Organization/org Patient/p1 Patient/p2 Patient/p3"},
		{Query{Types: []string{"Patient", "Organization"}}, "Organization/org Patient/p1 Patient/p2 Patient/p3"},
		// the Group is in p1's compartment (compartmentdefinition-patient.html: Group.member)
		{Query{Level: LevelPatient}, "Group/g Observation/p1a Observation/p1b Observation/p2a Observation/p2b Observation/p3a Observation/p3b Patient/p1 Patient/p2 Patient/p3"},
		{Query{Level: LevelGroup, GroupID: "g"}, "Group/g Observation/p1a Observation/p1b Observation/p3a Observation/p3b Patient/p1 Patient/p3"},
		{Query{Level: LevelGroup, GroupID: "g", Types: []string{"Patient"}}, "Patient/p1 Patient/p3"},
		{Query{Level: LevelGroup, GroupID: "g", Patients: []string{"p3", "p2"}}, "Observation/p3a Observation/p3b Patient/p3"},
		{Query{Level: LevelPatient, Patients: []string{"p2"}, Types: []string{"Observation"}}, "Observation/p2a Observation/p2b"},
		{Query{Since: time2100}, ""},
	} {
		j, err := e.Submit(context.Background(), tc.q, "test")
		if err != nil {
			t.Fatal(err)
		}
		j = wait(t, e, j.ID)
		if j.Status != dsn.ExportCompleted {
			t.Fatalf("%+v: %s %s", tc.q, j.Status, j.Error)
		}
		if got := strings.Join(ids(t, e, j), " "); got != tc.want {
			t.Errorf("%+v exported\n%s\nwant\n%s", tc.q, got, tc.want)
		}
		if tc.q.Level == "" && tc.q.Types == nil && tc.q.Since.IsZero() && len(j.Output) < 4 {
			t.Errorf("%+v: %d files, want several (FileMax 2)", tc.q, len(j.Output))
		}
	}
	_, err := e.Submit(context.Background(), Query{Level: LevelGroup, GroupID: "nobody"}, "test")
	if dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("unknown group: %v", err)
	}
	_, err = e.Submit(context.Background(), Query{Types: []string{"Nope"}}, "test")
	if dsn.KindOf(err) != dsn.KindInvalid {
		t.Fatalf("unknown type: %v", err)
	}
}

// A job a stopped server left in progress is begun again by the next Start,
// counted in Restarts, and completes with every resource once.
func TestExporterResumesAfterRestart(t *testing.T) {
	st := openStore(t)
	loadCohort(t, st)
	js := st.(dsn.ExportJobs)
	ctx := context.Background()
	now := time.Now().UTC()
	left := dsn.ExportJob{ID: "left", Status: dsn.ExportRunning, Level: LevelSystem, Types: []string{"Patient"},
		Created: now, Updated: now, Done: 1}
	if err := js.CreateExportJob(ctx, left); err != nil {
		t.Fatal(err)
	}
	// the part the interrupted run had written must not come out twice
	if err := js.AddExportPart(ctx, "left", 1, 1, []byte(`{"resourceType":"Patient","id":"p1"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	e := newExporter(t, st, ExporterOptions{})
	j := wait(t, e, "left")
	if j.Status != dsn.ExportCompleted || j.Restarts != 1 || j.Done != 3 {
		t.Fatalf("resumed job: %+v", j)
	}
	if got := strings.Join(ids(t, e, j), " "); got != "Patient/p1 Patient/p2 Patient/p3" {
		t.Fatalf("resumed job exported %s", got)
	}
}

// Cancel deletes the job and its files; a Group deleted before the job runs
// fails it with a readable message.
func TestExporterCancelAndFail(t *testing.T) {
	st := openStore(t)
	loadCohort(t, st)
	e := newExporter(t, st, ExporterOptions{})
	ctx := context.Background()
	j, err := e.Submit(ctx, Query{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Cancel(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Job(ctx, j.ID); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("cancelled job still there: %v", err)
	}
	if err := e.Cancel(ctx, j.ID); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("second cancel: %v", err)
	}
	if err := e.WriteFile(ctx, j.ID, 1, &bytes.Buffer{}); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("file of a cancelled job: %v", err)
	}

	// a job whose Group disappears before it runs: no slot free until the group is gone
	busy := newExporter(t, st, ExporterOptions{Workers: 1})
	busy.slots <- struct{}{}
	j, err = busy.Submit(ctx, Query{Level: LevelGroup, GroupID: "g"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	svc := repo.New(repo.Options{Store: st})
	if _, err := svc.Delete(ctx, "Group", "g", 0); err != nil {
		t.Fatal(err)
	}
	<-busy.slots
	j = wait(t, busy, j.ID)
	if j.Status != dsn.ExportFailed || j.Error == "" || len(j.Output) != 0 {
		t.Fatalf("job of a deleted group: %+v", j)
	}
}
