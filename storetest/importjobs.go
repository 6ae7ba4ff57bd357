package storetest

import (
	"context"
	"strings"
	"testing"

	"dsn"
)

// testImportJobs checks the dsn.ImportJobs of the store: a job's checkpoint
// and counts survive a reopen, errors come back by line and are stored once
// per (input, line), a job update and its errors commit together, and a
// deleted job takes its errors with it (KindNotFound after).
func testImportJobs(t *testing.T, open Opener) {
	s := open(t)
	js, ok := s.(dsn.ImportJobs)
	if !ok {
		t.Fatal("the store does not keep import jobs (dsn.ImportJobs)")
	}
	ctx := context.Background()
	a := dsn.ImportJob{ID: "a", Status: dsn.ImportAccepted, Request: "http://x/$import", Created: at(0), Updated: at(0),
		Inputs: []dsn.ImportInput{{Type: "Patient", URL: "http://127.0.0.1/p.ndjson"}, {URL: dsn.ImportUpload, Staged: "/tmp/u"}}}
	b := dsn.ImportJob{ID: "b", Status: dsn.ImportAccepted, Created: at(1), Updated: at(1)}
	for _, j := range []dsn.ImportJob{b, a} {
		if err := js.CreateImportJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	oo := func(s string) []byte { return []byte(`{"resourceType":"OperationOutcome","id":"` + s + `"}`) }
	a.Status, a.Done = dsn.ImportRunning, 500
	a.Inputs[0].Line, a.Inputs[0].Size, a.Inputs[0].SHA256, a.Inputs[0].Created, a.Inputs[0].ErrorLines = 500, 9000, "ab12", 498, 2
	if err := js.UpdateImportJob(ctx, a, dsn.ImportError{Input: 1, Line: 7, Outcome: oo("l7")},
		dsn.ImportError{Input: 1, Line: 3, Outcome: oo("l3")}, dsn.ImportError{Input: 2, Line: 0, Outcome: oo("whole")}); err != nil {
		t.Fatal(err)
	}
	// the same batch reported again (resumed before its checkpoint): stored once
	if err := js.UpdateImportJob(ctx, a, dsn.ImportError{Input: 1, Line: 7, Outcome: oo("again")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t)
	js = s.(dsn.ImportJobs)
	got, err := js.ImportJob(ctx, "a")
	if err != nil || got.Status != dsn.ImportRunning || got.Done != 500 || len(got.Inputs) != 2 ||
		got.Inputs[0].Line != 500 || got.Inputs[0].SHA256 != "ab12" || got.Inputs[0].Created != 498 || got.Inputs[1].Staged != "/tmp/u" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	list, err := js.ImportJobList(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "a" || list[1].ID != "b" {
		t.Fatalf("list (oldest first): %+v, %v", list, err)
	}
	errs := func(input int) string {
		var out []string
		if err := js.ImportErrors(ctx, "a", input, func(b []byte) error { out = append(out, string(b)); return nil }); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, "\n")
	}
	if got := errs(1); got != string(oo("l3"))+"\n"+string(oo("l7")) {
		t.Fatalf("errors of input 1, by line, the first report kept:\n%s", got)
	}
	if err := js.ClearImportErrors(ctx, "a", 1); err != nil {
		t.Fatal(err)
	}
	if got := errs(1); got != "" || errs(2) != string(oo("whole")) {
		t.Fatalf("after clearing input 1: %q, input 2 %q", got, errs(2))
	}
	if err := js.ClearImportErrors(ctx, "b", 1); err != nil {
		t.Fatalf("clearing a job without errors: %v", err)
	}
	if err := js.DeleteImportJob(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	_, err = js.ImportJob(ctx, "a")
	wantKind(t, err, dsn.KindNotFound)
	wantKind(t, js.DeleteImportJob(ctx, "a"), dsn.KindNotFound)
	wantKind(t, js.UpdateImportJob(ctx, a, dsn.ImportError{Input: 1, Line: 9, Outcome: oo("late")}), dsn.KindNotFound)
	if got := errs(2); got != "" {
		t.Fatalf("errors left after the job was deleted: %s", got)
	}
}
