package storetest

import (
	"context"
	"strings"
	"testing"

	"dsn"
)

// testExportJobs checks the dsn.ExportJobs of the store: jobs and their
// parts survive a reopen, parts come back in order, and a deleted job takes
// its parts with it and refuses new ones (KindNotFound).
func testExportJobs(t *testing.T, open Opener) {
	s := open(t)
	js, ok := s.(dsn.ExportJobs)
	if !ok {
		t.Fatal("the store does not keep export jobs (dsn.ExportJobs)")
	}
	ctx := context.Background()
	a := dsn.ExportJob{ID: "a", Status: dsn.ExportAccepted, Level: "group", GroupID: "g1",
		Types: []string{"Patient", "Observation"}, Since: at(1), Created: at(0), Updated: at(0)}
	b := dsn.ExportJob{ID: "b", Status: dsn.ExportAccepted, Level: "system", Created: at(1), Updated: at(1)}
	for _, j := range []dsn.ExportJob{b, a} {
		if err := js.CreateExportJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct {
		file, part int
		data       string
	}{{1, 2, "two\n"}, {1, 1, "one\n"}, {2, 1, "other\n"}, {1, 3, "three\n"}} {
		if err := js.AddExportPart(ctx, "a", p.file, p.part, []byte(p.data)); err != nil {
			t.Fatal(err)
		}
	}
	a.Status, a.Done, a.Output = dsn.ExportCompleted, 4, []dsn.ExportFile{{N: 1, Type: "Patient", Count: 3}}
	if err := js.UpdateExportJob(ctx, a); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t)
	js = s.(dsn.ExportJobs)
	got, err := js.ExportJob(ctx, "a")
	if err != nil || got.Status != dsn.ExportCompleted || got.GroupID != "g1" || !got.Since.Equal(at(1)) ||
		len(got.Types) != 2 || len(got.Output) != 1 || got.Output[0].Count != 3 {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	list, err := js.ExportJobList(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "a" || list[1].ID != "b" {
		t.Fatalf("list (oldest first): %+v, %v", list, err)
	}
	var parts []string
	if err := js.ExportParts(ctx, "a", 1, func(b []byte) error { parts = append(parts, string(b)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(parts, "") != "one\ntwo\nthree\n" {
		t.Fatalf("parts of file 1: %q", parts)
	}
	if err := js.ClearExportParts(ctx, "b"); err != nil {
		t.Fatalf("clearing a job without parts: %v", err)
	}
	if err := js.DeleteExportJob(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	_, err = js.ExportJob(ctx, "a")
	wantKind(t, err, dsn.KindNotFound)
	wantKind(t, js.DeleteExportJob(ctx, "a"), dsn.KindNotFound)
	wantKind(t, js.UpdateExportJob(ctx, a), dsn.KindNotFound)
	wantKind(t, js.AddExportPart(ctx, "a", 1, 4, []byte("late\n")), dsn.KindNotFound)
	n := 0
	js.ExportParts(ctx, "a", 1, func([]byte) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d parts left after the job was deleted", n)
	}
}
