package fhirapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"dsn/access"
	"dsn/repo"
	"dsn/sqlite"
)

// A search touching twelve patients' records leaves one entry per patient,
// in the order they were met, each listing that patient's resources only —
// past eight patients Entries indexes them by a map, below by a scan; a read
// leaves one entry.
func TestEntriesOnePerPatient(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	open := repo.New(repo.Options{Store: st})
	for p := range 12 {
		if _, err := open.Update(ctx, "Patient", fmt.Sprintf("p%d", p), []byte(fmt.Sprintf(`{"resourceType":"Patient","id":"p%d"}`, p)), 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 36 { // o0 of p0, o1 of p1, …, o12 of p0 again
		body := fmt.Sprintf(`{"resourceType":"Observation","id":"o%d","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p%d"}}`, i, i%12)
		if _, err := open.Update(ctx, "Observation", fmt.Sprintf("o%d", i), []byte(body), 0); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	auth := access.New(access.Options{Records: st})
	guarded := repo.New(repo.Options{Store: access.NewGuard(st, access.NewPolicy(auth, st, log))})
	p := access.ClientPrincipal(access.Client{ID: "c1", Name: "labo", Scope: "system/*.rs"}, access.MustScopes("system/*.rs"))

	ctx1, _ := access.WithDisclosures(access.WithPrincipal(ctx, p))
	if _, err := guarded.Search(ctx1, "http://x/fhir", "Observation", map[string][]string{"_count": {"100"}}, false); err != nil {
		t.Fatal(err)
	}
	es := Entries(ctx1, Record{Time: time.Now(), Request: Request{Interaction: "search-type", Type: "Observation"}, Status: 200})
	if len(es) != 12 {
		t.Fatalf("%d entries for 12 patients", len(es))
	}
	for i, e := range es {
		want := []string{fmt.Sprintf("Observation/o%d/_history/1", i), fmt.Sprintf("Observation/o%d/_history/1", i+12), fmt.Sprintf("Observation/o%d/_history/1", i+24)}
		if e.Patient != fmt.Sprintf("p%d", i) || e.Action != "search" || e.Agent != "client:c1" || !slices.Equal(e.Resources, want) {
			t.Fatalf("entry %d: %s %s %s %v", i, e.Patient, e.Action, e.Agent, e.Resources)
		}
	}

	ctx2, _ := access.WithDisclosures(access.WithPrincipal(ctx, p))
	if _, err := guarded.Read(ctx2, "Observation", "o5"); err != nil {
		t.Fatal(err)
	}
	es = Entries(ctx2, Record{Time: time.Now(), Request: Request{Interaction: "read", Type: "Observation", ID: "o5"}, Status: 200})
	if len(es) != 1 || es[0].Patient != "p5" || es[0].Action != "read" || !slices.Equal(es[0].Resources, []string{"Observation/o5/_history/1"}) {
		t.Fatalf("read: %+v", es)
	}
}

// A held response keeps the body send hands over without copying it (a
// search's Bundle, once per request), and later writes do not touch it.
// A Bundle encoded for a held response stays that response's: the next
// answer is not encoded into its buffer (send pools its encoding buffers only
// for writers that do not keep them), and a plain writer still gets it whole.
func TestHeldBundleIsNotReused(t *testing.T) {
	a := &API{}
	r := httptest.NewRequest("GET", "/fhir/Patient", nil)
	first := &heldResponse{header: http.Header{}}
	a.send(&recorder{ResponseWriter: first}, r, http.StatusOK, map[string]any{"resourceType": "Bundle", "id": "premier"})
	for range 3 {
		a.send(&recorder{ResponseWriter: &heldResponse{header: http.Header{}}}, r, http.StatusOK,
			map[string]any{"resourceType": "Bundle", "id": "second"})
		w := httptest.NewRecorder()
		a.send(&recorder{ResponseWriter: w}, r, http.StatusOK, map[string]any{"resourceType": "Bundle", "id": "troisieme"})
		if w.Body.String() != `{"resourceType":"Bundle","id":"troisieme"}` {
			t.Fatalf("plain writer got %q", w.Body.String())
		}
	}
	if string(first.body) != `{"resourceType":"Bundle","id":"premier"}` {
		t.Fatalf("held body overwritten by a later answer: %q", first.body)
	}
}

func TestHeldResponseKeepsTheBody(t *testing.T) {
	a := &API{}
	held := &heldResponse{header: http.Header{}}
	rec := &recorder{ResponseWriter: held}
	body := []byte(`{"resourceType":"Bundle"}`)
	a.send(rec, httptest.NewRequest("GET", "/fhir/Patient", nil), http.StatusOK, body)
	if len(held.body) != len(body) || &held.body[0] != &body[0] || rec.status != http.StatusOK {
		t.Fatalf("held %q (status %d): copied or lost", held.body, rec.status)
	}
	held.Write([]byte("more"))
	if string(body) != `{"resourceType":"Bundle"}` || string(held.body) != `{"resourceType":"Bundle"}more` {
		t.Fatalf("a later write reached the handed-over body: %q / %q", body, held.body)
	}
	w := httptest.NewRecorder()
	held.sendTo(w)
	if w.Code != 200 || w.Body.String() != `{"resourceType":"Bundle"}more` {
		t.Fatalf("sent %d %q", w.Code, w.Body.String())
	}
}
