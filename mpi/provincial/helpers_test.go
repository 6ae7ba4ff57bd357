package provincial

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
	"dsn/repo"
	"dsn/sqlite"
)

// prefixIDs gives predictable ids: prefix-1, prefix-2, …
type prefixIDs struct {
	prefix string
	n      atomic.Int64
}

func (s *prefixIDs) NewID() string { return fmt.Sprintf("%s-%d", s.prefix, s.n.Add(1)) }

// tickClock advances one second per call.
type tickClock struct{ n atomic.Int64 }

func (c *tickClock) Now() time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(c.n.Add(1)) * time.Second)
}

// env is a real SQLite store wired as the server wires it: the live index
// on the commit hook, the Service writing through it, every other writer
// (api) through Enqueue.
type env struct {
	t     testing.TB
	ctx   context.Context
	raw   dsn.Store
	store dsn.Store // hooked: reaches the live index
	live  *mpi.Live
	svc   *Service
	api   *repo.Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return wire(t, st)
}

func wire(t testing.TB, st dsn.Store) *env {
	m, err := mpi.NewMatcher(mpi.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), raw: st, live: mpi.NewLive(m)}
	e.store = repo.WithOnCommit(st, func(rs []dsn.Resource) { e.live.Apply(rs) })
	if _, err := e.live.Load(e.ctx, e.store); err != nil {
		t.Fatal(err)
	}
	clock := &tickClock{}
	e.svc = New(Options{Store: e.store, Live: e.live, Clock: clock, IDs: &prefixIDs{prefix: "g"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.api = repo.New(repo.Options{Store: Enqueue(e.store, EnqueueOptions{Clock: clock, IDs: &prefixIDs{prefix: "n"}}), Clock: clock, IDs: &prefixIDs{prefix: "c"}})
	return e
}

// person is a registration's demographics.
type person struct {
	family, given, birth, gender, nam, phone, postal string
}

func (p person) body(id string) []byte {
	o := fhir.Object{"resourceType": "Patient", "id": id,
		"name":   []any{map[string]any{"family": p.family, "given": []any{p.given}}},
		"gender": p.gender, "birthDate": p.birth}
	if p.nam != "" {
		o["identifier"] = []any{map[string]any{"system": mpi.NAMSystem, "value": p.nam}}
	}
	if p.phone != "" {
		o["telecom"] = []any{map[string]any{"system": "phone", "value": p.phone}}
	}
	if p.postal != "" {
		o["address"] = []any{map[string]any{"line": []any{"12 rue des Forges"}, "city": "Trois-Rivières", "postalCode": p.postal}}
	}
	return fhir.Encode(o)
}

// put registers p as Patient/id through the API path (queues a link job).
func (e *env) put(id string, p person) {
	e.t.Helper()
	if _, err := e.api.Update(e.ctx, "Patient", id, p.body(id), 0); err != nil {
		e.t.Fatalf("PUT Patient/%s: %v", id, err)
	}
}

// drain runs the linker over every queued job.
func (e *env) drain() {
	e.t.Helper()
	if _, err := e.svc.Drain(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	if jobs, _ := e.raw.Jobs(e.ctx, JobLink, 0, 10); len(jobs) > 0 {
		e.t.Fatalf("jobs left after Drain: %+v", jobs)
	}
}

func (e *env) read(id string) fhir.Object {
	e.t.Helper()
	res, err := e.raw.Read(e.ctx, "Patient", id)
	if err != nil {
		e.t.Fatalf("read Patient/%s: %v", id, err)
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return obj
}

// golden returns the golden record of source id, checking both directions
// of the link: the source's one "refer" and the golden's "seealso".
func (e *env) golden(id string) string {
	e.t.Helper()
	refs := mpi.Links(e.read(id), "refer")
	if len(refs) != 1 {
		e.t.Fatalf("Patient/%s has refer links %v, want exactly one", id, refs)
	}
	g := e.read(refs[0])
	if !mpi.IsGolden(g) || !slices.Contains(mpi.Links(g, "seealso"), id) {
		e.t.Fatalf("Patient/%s refers to %s, which is not a golden record listing it: %s", id, refs[0], fhir.Encode(g))
	}
	return refs[0]
}

// tasks returns the review Tasks about source id by status.
func (e *env) tasks(id string) map[string][]fhir.Object {
	e.t.Helper()
	q, err := e.api.Parse("Task", map[string][]string{"focus": {"Patient/" + id}, "code": {mpi.System + "|" + ReviewCode}})
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.raw.Search(e.ctx, q)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]fhir.Object{}
	for _, r := range res.Matches {
		obj, _ := fhir.Decode(r.Body)
		out[str(obj["status"])] = append(out[str(obj["status"])], obj)
	}
	return out
}

func wantKind(t testing.TB, err error, k dsn.Kind) {
	t.Helper()
	if err == nil || dsn.KindOf(err) != k {
		t.Fatalf("error = %v (kind %v), want kind %v", err, dsn.KindOf(err), k)
	}
}

func pretty(o any) string { b, _ := json.MarshalIndent(o, "", " "); return string(b) }

// Demographics used across tests (synthetic).
var (
	marie   = person{family: "Gagnon", given: "Marie", birth: "1972-08-12", gender: "female", nam: "GAGM72581219", phone: "819-555-0101", postal: "G9A 5H7"}
	marieB  = person{family: "Gagnon", given: "Marie", birth: "1972-08-12", gender: "female", nam: "GAGM72581219", postal: "G9A 5H7"}
	pierre  = person{family: "Tremblay", given: "Pierre", birth: "1965-03-05", gender: "male", nam: "TREP65030512", phone: "819-555-0199"}
	pierreN = person{family: "Tremblay", given: "Pierre", birth: "1965-03-05", gender: "male", phone: "819-555-0199", postal: "G8T 2A1"}
)
