package repo

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"dsn/fhir"
)

func TestIncludeAndRevinclude(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	if _, err := s.Update(ctx, "Patient", "pa", []byte(`{"resourceType":"Patient","id":"pa"}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "Patient", "pb", []byte(`{"resourceType":"Patient","id":"pb"}`), 0); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"o1", "o2"} {
		body := `{"resourceType":"Observation","id":"` + id + `","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/pa"}}`
		if _, err := s.Update(ctx, "Observation", id, []byte(body), 0); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Search(ctx, "http://x/fhir", "Observation", url.Values{"_include": {"Observation:subject"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := modes(b); got["match"] != 2 || got["include"] != 1 || got["outcome"] != 0 {
		t.Fatalf("_include: %v", got)
	}
	b, err = s.Search(ctx, "http://x/fhir", "Patient", url.Values{"_revinclude": {"Observation:subject"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := modes(b); got["match"] != 2 || got["include"] != 2 {
		t.Fatalf("_revinclude: %v", got)
	}
	b, err = s.Search(ctx, "http://x/fhir", "Observation", url.Values{"_summary": {"count"}}, true)
	if err != nil || b["total"] != 2 || len(b["entry"].([]any)) != 0 {
		t.Fatalf("_summary=count: %v %v", b, err)
	}
	b, err = s.Search(ctx, "http://x/fhir", "Observation", url.Values{"_elements": {"status"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	first := fhir.Encode(b["entry"].([]any)[0].(map[string]any)["resource"])
	if !strings.Contains(string(first), `"status":"final"`) || strings.Contains(string(first), `"subject"`) || !strings.Contains(string(first), "SUBSETTED") {
		t.Fatalf("_elements=status: %s", first)
	}
	b, err = s.Search(ctx, "http://x/fhir", "Observation", url.Values{"_include": {"Observation:status"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := modes(b); got["include"] != 0 || got["outcome"] != 1 {
		t.Fatalf("a non-reference _include must be reported: %v", got)
	}
}

// modes counts the entries of a searchset by search.mode.
func modes(b fhir.Object) map[string]int {
	out := map[string]int{}
	for _, e := range b["entry"].([]any) {
		out[e.(map[string]any)["search"].(map[string]any)["mode"].(string)]++
	}
	return out
}
