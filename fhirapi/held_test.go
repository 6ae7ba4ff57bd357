package fhirapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"dsn/audit"
	"dsn/repo"
	"dsn/sqlite"
)

// Held responses (the journal's) keep their encoded body in a pooled buffer
// until it is written out, then give the buffer back: concurrent searches
// and reads each get their own answer, byte for byte the one a lone request
// gets, never bytes of another answer encoded into a buffer given back too soon.
func TestHeldResponsesKeepTheirBodies(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := repo.New(repo.Options{Store: st})
	const n = 24
	for i := range n {
		body := fmt.Sprintf(`{"resourceType":"Patient","id":"p%d","name":[{"family":"Fam%d","given":["G%d"]}],"birthDate":"19%02d-01-01"}`, i, i, i, 10+i)
		if _, err := svc.Update(ctx, "Patient", fmt.Sprintf("p%d", i), []byte(body), 0); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	journal := audit.Open(audit.Options{Journal: st, Logger: log})
	srv := httptest.NewServer(New(Options{Repo: svc, Logger: log, Auditor: Journal{Log: journal}}))
	defer st.Close()
	defer journal.Close()
	defer srv.Close()
	get := func(path string) (string, error) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			return "", fmt.Errorf("%s: %d %s", path, res.StatusCode, b)
		}
		return string(b), err
	}
	var paths []string
	for i := range n {
		paths = append(paths, fmt.Sprintf("/fhir/Patient?family=Fam%d", i), fmt.Sprintf("/fhir/Patient?birthdate=ge19%02d-01-01&_count=%d", 10+i, 1+i%7))
	}
	want := map[string]string{}
	for _, p := range paths {
		b, err := get(p)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = b
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 60 {
				p := paths[(w*7+k)%len(paths)]
				got, err := get(p)
				if err != nil {
					t.Error(err)
					return
				}
				if got != want[p] {
					t.Errorf("%s:\n got %.300s\nwant %.300s", p, got, want[p])
					return
				}
			}
		}()
	}
	wg.Wait()
}
