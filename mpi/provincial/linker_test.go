package provincial

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
	"dsn/repo"
	"dsn/sqlite"
)

// A new registration gets its own golden record; a second registration of
// the same person (same NAM) joins it automatically with a Provenance; a
// different person gets another one.
func TestLinkOnCreate(t *testing.T) { linkOnCreate(t, newEnv(t)) }

func linkOnCreate(t *testing.T, e *env) {
	e.put("s1", marie)
	e.drain()
	g1 := e.golden("s1")
	e.put("s2", marieB)
	e.put("s3", pierre)
	e.drain()
	if g := e.golden("s2"); g != g1 {
		t.Fatalf("s2 linked to %s, want s1's golden record %s", g, g1)
	}
	if g := e.golden("s3"); g == g1 {
		t.Fatalf("Pierre joined Marie's golden record %s", g1)
	}
	gold := e.read(g1)
	if got := mpi.Links(gold, "seealso"); !slices.Equal(got, []string{"s1", "s2"}) {
		t.Fatalf("golden seealso = %v, want [s1 s2]", got)
	}
	// survivorship: s2 (newer) has no phone, so the phone comes from s1
	tel, _ := gold["telecom"].([]any)
	if len(tel) != 1 || tel[0].(map[string]any)["value"] != "819-555-0101" {
		t.Fatalf("golden telecom = %v, want s1's phone", gold["telecom"])
	}
	q, _ := e.api.Parse("Provenance", map[string][]string{"target": {"Patient/s2"}})
	provs, err := e.raw.Search(e.ctx, q)
	if err != nil || len(provs.Matches) != 1 {
		t.Fatalf("Provenance of the automatic link: %v, %v", provs.Matches, err)
	}
	if body := string(provs.Matches[0].Body); !strings.Contains(body, "date de naissance") || !strings.Contains(body, "identique (+14.5)") {
		t.Fatalf("the automatic link's Provenance does not explain the score field by field: %s", body)
	}
	if e.live.GoldenOf("s2") != g1 || !e.live.IsGolden(g1) {
		t.Fatalf("live index: GoldenOf(s2) = %q, IsGolden(%s) = %v", e.live.GoldenOf("s2"), g1, e.live.IsGolden(g1))
	}
}

// A probable match (day and month swapped, no NAM on one side) gets a
// golden record of its own and a review Task with the per-field explanation.
func TestProbableGoesToReview(t *testing.T) {
	e := newEnv(t)
	e.put("s1", pierreN)
	e.drain()
	swapped := person{family: "Tremblay", given: "Pierre", birth: "1965-05-03", gender: "male"}
	e.put("s2", swapped)
	e.drain()
	if e.golden("s2") == e.golden("s1") {
		t.Fatal("a probable match was linked automatically")
	}
	open := e.tasks("s2")["requested"]
	if len(open) != 1 {
		t.Fatalf("review Tasks for s2: %s", pretty(e.tasks("s2")))
	}
	task := open[0]
	if inputRef(task, "candidate") != e.golden("s1") || inputRef(task, "candidate-source") != "s1" {
		t.Fatalf("Task proposes %s via %s, want %s via s1", inputRef(task, "candidate"), inputRef(task, "candidate-source"), e.golden("s1"))
	}
	var explained bool
	for _, in := range objs(task["input"]) {
		if inputCode(in) == "field-birthDate" && str(in["valueString"]) != "" {
			explained = true
			t.Logf("%s", in["valueString"])
		}
	}
	if !explained {
		t.Fatalf("no birth-date explanation in %s", pretty(task))
	}
	// linking again (an update) does not open a second Task
	e.put("s2", swapped)
	e.drain()
	if n := len(e.tasks("s2")["requested"]); n != 1 {
		t.Fatalf("%d open Tasks after re-linking, want 1", n)
	}
}

// A job queued with a Patient write survives a crash before linking: the
// next start links it.
func TestLinkSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	e := wire(t, st)
	e.put("s1", marie)
	st.Close() // "crash" before the linker ran
	st, err = sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e = wire(t, st)
	if jobs, _ := st.Jobs(e.ctx, JobLink, 0, 10); len(jobs) != 1 || jobs[0].Key != "s1" {
		t.Fatalf("pending jobs after restart = %+v, want s1's", jobs)
	}
	e.drain()
	e.golden("s1")
}

// An update keeps the registration in its golden record even when the client
// drops the link, and the record's demographics follow.
func TestUpdateKeepsLink(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.put("s2", marieB)
	e.drain()
	g := e.golden("s1")
	moved := marieB
	moved.postal, moved.phone = "H2X 1Y4", "514-555-0123"
	e.put("s2", moved) // a client body has no link
	e.drain()
	if e.golden("s2") != g {
		t.Fatal("the update moved s2 out of its golden record")
	}
	addr, _ := e.read(g)["address"].([]any)
	if len(addr) != 1 || addr[0].(map[string]any)["postalCode"] != "H2X 1Y4" {
		t.Fatalf("golden address = %v, want the most recent one", addr)
	}
}

// Deleting a registration takes it out of its golden record; deleting the
// last one retires the record.
func TestDeleteLeaves(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.put("s2", marieB)
	e.drain()
	g := e.golden("s1")
	if _, err := e.api.Delete(e.ctx, "Patient", "s2", 0); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if got := mpi.Links(e.read(g), "seealso"); !slices.Equal(got, []string{"s1"}) {
		t.Fatalf("golden seealso after delete = %v", got)
	}
	if _, err := e.api.Delete(e.ctx, "Patient", "s1", 0); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if gold := e.read(g); gold["active"] != false || len(mpi.Links(gold, "seealso")) != 0 {
		t.Fatalf("golden record without registration: %s", pretty(gold))
	}
}

// Golden records are written by the MPI only: a client create, update or
// delete of one is refused with 422 and writes nothing.
func TestGoldenIsReadOnly(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.drain()
	g := e.golden("s1")
	_, err := e.api.Update(e.ctx, "Patient", g, marie.body(g), 0)
	wantKind(t, err, dsn.KindUnprocessable)
	_, err = e.api.Delete(e.ctx, "Patient", g, 0)
	wantKind(t, err, dsn.KindUnprocessable)
	body := []byte(`{"resourceType":"Patient","meta":{"tag":[{"system":"` + mpi.System + `","code":"golden"}]}}`)
	_, err = e.api.Create(e.ctx, "Patient", body, "")
	wantKind(t, err, dsn.KindUnprocessable)
	if !mpi.IsGolden(e.read(g)) {
		t.Fatal("the golden record changed")
	}
}

// Twins (same family name, birth date and NAM letters but different given
// names) are never linked automatically, whatever else they share.
func TestTwinsNotLinked(t *testing.T) {
	e := newEnv(t)
	a := person{family: "Côté", given: "Marie-Ève", birth: "2001-04-10", gender: "female", phone: "819-555-0144", postal: "G9A 5H7"}
	b := a
	b.given = "Marie-Josée"
	e.put("s1", a)
	e.put("s2", b)
	e.drain()
	if e.golden("s1") == e.golden("s2") {
		t.Fatal("twins linked automatically")
	}
}

// A new registration belongs to a golden record from its first commit (no
// version added by the linker when it matches nobody), and a client's PUT
// without links keeps it there; one deleted and created again before the
// linker ran ends in exactly one golden record.
func TestLinkedAtCommit(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	g := e.golden("s1") // before any linking
	e.put("s1", marie)  // a client body never has the link
	if e.golden("s1") != g {
		t.Fatal("the update lost the link")
	}
	e.drain()
	if res, _ := e.raw.Read(e.ctx, "Patient", "s1"); res.VersionID != 2 {
		t.Fatalf("s1 is at version %d after linking, want 2 (the linker wrote nothing)", res.VersionID)
	}
	if _, err := e.api.Delete(e.ctx, "Patient", "s1", 0); err != nil {
		t.Fatal(err)
	}
	e.put("s1", marie)
	e.drain()
	n := 0
	for _, id := range []string{g, e.golden("s1")} {
		if slices.Contains(mpi.Links(e.read(id), "seealso"), "s1") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("s1 listed by %d golden records", n)
	}
}

// Registrations written by another process (dsn import while a server runs:
// each process has its own index) are still linked: the linker learns them
// from their jobs and finds their golden records in the store.
func TestLinkAcrossProcesses(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	server := wire(t, st)
	importer := wire(t, st)
	importer.put("s1", marie)
	server.drain()
	importer.put("s2", marieB)
	server.drain()
	if server.golden("s1") != server.golden("s2") {
		t.Fatal("registrations from another process were not linked")
	}
	n, err := server.svc.RequeueAll(server.ctx)
	if err != nil || n != 2 {
		t.Fatalf("RequeueAll = %d, %v", n, err)
	}
	server.drain()
	if server.golden("s1") != server.golden("s2") {
		t.Fatal("relinking split a record")
	}
}

// A new registration that matches nobody is settled before the writer (the
// linker only deletes its job, both versions stay 1); a probable match, an
// update or a review Task about it sends it through the full policy.
func TestSettledRegistration(t *testing.T) {
	e := newEnv(t)
	settled := func(id string) bool {
		t.Helper()
		res, err := e.raw.Read(e.ctx, "Patient", id)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := fhir.Decode(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		full := e.svc.settled(e.ctx, res, obj, e.live.MatchRanked(mpi.FromPatient(obj), maxCandidates))
		// the linker's plan answers from Live's record when Live holds the version (decision 0027)
		if _, ok := e.live.MatchRankedVersion(id, res.VersionID, 1); !ok {
			t.Fatalf("Live does not hold version %d of Patient/%s", res.VersionID, id)
		}
		if p := e.svc.plan(e.ctx, id); p.settled != full || !p.ok || !p.settled && len(p.rec.Family) == 0 {
			t.Fatalf("Patient/%s: the plan says settled %v (ok %v, record %v), the decoded check %v", id, p.settled, p.ok, p.rec.Family, full)
		}
		return full
	}
	e.put("s1", marie)
	if !settled("s1") {
		t.Fatal("a new registration that matches nobody is not settled")
	}
	e.drain()
	g1 := e.golden("s1")
	for _, id := range []string{"s1", g1} {
		if v := str(e.read(id)["meta"].(map[string]any)["versionId"]); v != "1" {
			t.Fatalf("Patient/%s is at version %s after linking a registration that matches nobody, want 1", id, v)
		}
	}
	e.put("s2", pierreN)
	if !settled("s2") {
		t.Fatal("s2, which matches nobody, is not settled")
	}
	e.put("s3", person{family: "Tremblay", given: "Pierre", birth: "1965-05-03", gender: "male"}) // probable with s2
	if settled("s2") || settled("s3") {
		t.Fatalf("settled: s2 %v, s3 %v, a probable pair", settled("s2"), settled("s3"))
	}
	e.put("s1", marie) // version 2: its golden record is recomputed
	if settled("s1") {
		t.Fatal("an update is settled")
	}
	e.put("s4", person{family: "Zylberberg", given: "Anouk", birth: "1990-01-02", gender: "female"})
	task := fhir.Encode(fhir.Object{"resourceType": "Task", "status": "requested", "intent": "proposal",
		"code":  map[string]any{"coding": []any{map[string]any{"system": mpi.System, "code": ReviewCode}}},
		"focus": map[string]any{"reference": "Patient/s4"}})
	if _, err := e.api.Create(e.ctx, "Task", task, ""); err != nil {
		t.Fatal(err)
	}
	if settled("s4") {
		t.Fatal("a registration with a review Task about it is settled")
	}
	e.drain()
	if open := e.tasks("s4")["requested"]; len(open) != 0 {
		t.Fatalf("the review Task about s4, which matches nobody, is still open: %s", pretty(open))
	}
	if e.golden("s3") == e.golden("s2") || len(e.tasks("s3")["requested"]) != 1 {
		t.Fatalf("s3 (probable with s2): golden %s / %s, open Tasks %s", e.golden("s3"), e.golden("s2"), pretty(e.tasks("s3")))
	}
}

// countingStore counts the linker's Jobs queries and transactions.
type countingStore struct {
	dsn.Store
	jobs, writes atomic.Int64
}

func (c *countingStore) Jobs(ctx context.Context, kind string, after int64, limit int) ([]dsn.Job, error) {
	c.jobs.Add(1)
	return c.Store.Jobs(ctx, kind, after, limit)
}

func (c *countingStore) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	c.writes.Add(1)
	return c.Store.Write(ctx, fn)
}

// Woken by a commit, the running linker waits Linger for the next commits'
// jobs and links them in one drain: one Jobs query (a short answer is the
// queue's end) and one transaction for three creates (decision 0027).
func TestLinkerGathers(t *testing.T) {
	e := newEnv(t)
	cs := &countingStore{Store: e.store}
	svc := New(Options{Store: cs, Live: e.live, Linger: time.Second, Poll: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	api := repo.New(repo.Options{Store: Enqueue(e.store, EnqueueOptions{Notify: svc.Notify})})
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for _, p := range []person{marie, pierreN, {family: "Zylberberg", given: "Anouk", birth: "1990-01-02", gender: "female"}} {
		if _, err := api.Create(e.ctx, "Patient", p.body(""), ""); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		jobs, err := e.raw.Jobs(e.ctx, JobLink, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the linker left jobs queued")
		}
	}
	// Run's first drain at start (an empty queue) and the gathered one
	if j, w := cs.jobs.Load(), cs.writes.Load(); j != 2 || w != 1 {
		t.Fatalf("the linker made %d Jobs queries and %d transactions for three creates, want 2 and 1", j, w)
	}
}
