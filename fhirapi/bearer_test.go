package fhirapi

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"dsn"
	"dsn/access"
	"dsn/mpi"
	"dsn/repo"
	"dsn/sqlite"
)

// countingStore counts every call that reaches the store.
type countingStore struct {
	dsn.Store
	n atomic.Int64
}

func (c *countingStore) Read(ctx context.Context, t, id string) (dsn.Resource, error) {
	c.n.Add(1)
	return c.Store.Read(ctx, t, id)
}
func (c *countingStore) VRead(ctx context.Context, t, id string, v int64) (dsn.Resource, error) {
	c.n.Add(1)
	return c.Store.VRead(ctx, t, id, v)
}
func (c *countingStore) History(ctx context.Context, q dsn.HistoryQuery) (dsn.HistoryPage, error) {
	c.n.Add(1)
	return c.Store.History(ctx, q)
}
func (c *countingStore) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	c.n.Add(1)
	return c.Store.Search(ctx, q)
}
func (c *countingStore) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	c.n.Add(1)
	return c.Store.Write(ctx, fn)
}

// concrete turns a route pattern into a request that reaches it.
func concrete(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	r := strings.NewReplacer("{type}", "Patient", "{id}", "x", "{ctype}", "Observation", "{vid}", "1", "{$}", "")
	return method, r.Replace(path)
}

// TestEveryRouteNeedsAToken walks every route the API registers: without a
// token each answers 401 with WWW-Authenticate (the CapabilityStatement
// alone is public), and nothing reaches the store.
func TestEveryRouteNeedsAToken(t *testing.T) {
	cs := &countingStore{Store: openStore(t)}
	s := newServer(t, func(o *Options) {
		o.Repo = repo.New(repo.Options{Store: cs})
		o.MPI = mpi.NewIndex(nil)
		o.Authorizer = Bearer{Auth: access.New(access.Options{Records: cs.Store.(dsn.Records)})}
	})
	a := New(Options{Repo: repo.New(repo.Options{Store: cs}), MPI: mpi.NewIndex(nil)}).(*API)
	if len(a.routed) < 20 {
		t.Fatalf("only %d routes recorded", len(a.routed))
	}
	for _, pat := range a.routed {
		method, path := concrete(pat)
		body := ""
		if method == "POST" || method == "PUT" || method == "PATCH" {
			body = `{"resourceType":"Patient"}`
		}
		for _, auth := range []string{"", "Bearer", "Bearer not.a.token", "Basic dXNlcjpwYXNz"} {
			var hdr []string
			if auth != "" {
				hdr = []string{"Authorization", auth}
			}
			r := s.do(t, method, path, body, hdr...)
			want := http.StatusUnauthorized
			if path == "/fhir/metadata" {
				want = http.StatusOK
			}
			if r.status != want {
				t.Errorf("%s (%s %s, Authorization %q): %d, want %d", pat, method, path, auth, r.status, want)
			}
			if want == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: no WWW-Authenticate", pat)
			}
		}
	}
	if n := cs.n.Load(); n != 0 {
		t.Fatalf("%d store calls without a token", n)
	}
}

// TestNoHandlerWithoutThePolicy: an authorizer that refuses everything
// leaves every route, known or not, unreached.
func TestNoHandlerWithoutThePolicy(t *testing.T) {
	cs := &countingStore{Store: openStore(t)}
	s := newServer(t, func(o *Options) {
		o.Repo = repo.New(repo.Options{Store: cs})
		o.MPI = mpi.NewIndex(nil)
		o.Authorizer = denyAll{}
	})
	a := New(Options{Repo: repo.New(repo.Options{Store: cs}), MPI: mpi.NewIndex(nil)}).(*API)
	for _, pat := range append(a.routed, "GET /fhir/Nope/x/y/z/w", "OPTIONS /fhir/Patient") {
		method, path := concrete(pat)
		if r := s.do(t, method, path, `{"resourceType":"Patient"}`); r.status != 403 {
			t.Errorf("%s: %d, want 403", pat, r.status)
		}
	}
	if n := cs.n.Load(); n != 0 {
		t.Fatalf("%d store calls past a refusing policy", n)
	}
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	if len(s.audit.recs) != len(a.routed)+2 {
		t.Fatalf("%d audit records for %d requests", len(s.audit.recs), len(a.routed)+2)
	}
}

func openStore(t *testing.T) dsn.Store {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
