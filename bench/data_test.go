package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"dsn/fhir"
)

func TestNAM(t *testing.T) {
	cases := []struct {
		family, given string
		birth         time.Time
		female        bool
		diff          byte
		want          string
	}{
		// Examples documented in ../shared/docs/quebec.md §1.1.
		{"Tremblay", "Pierre", date(1965, 3, 5), false, '1', "TREP65030512"},
		{"Gagnon", "Marie", date(1972, 8, 12), true, '1', "GAGM72581219"},
		{"Qwerty", "Alice", date(2010, 1, 1), false, '1', "QWEA10010110"},
		{"Qwerty", "Alice", date(2010, 1, 1), false, '2', "QWEA10010121"},
		{"Qwerty", "Alice", date(2010, 1, 1), true, '7', "QWEA10510170"},
	}
	for _, c := range cases {
		if got := nam(c.family, c.given, c.birth, c.female, c.diff); got != c.want {
			t.Errorf("nam(%s, %s) = %s, want %s", c.family, c.given, got, c.want)
		}
	}
	for in, want := range map[string]string{"Côté": "COT", "St-Pierre": "STP", "Sainte-Marie": "STM", "Ng": "NGX", "D'Amours": "DAM", "Émile": "EMI"} {
		if got := namLetters(in); got != want {
			t.Errorf("namLetters(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTransactionBundle checks that the synthetic Bundle is what the README
// promises and that every resource in it is valid FHIR R4.
func TestTransactionBundle(t *testing.T) {
	b := marshal(newGen(1, 0).transaction())
	if string(b) != string(marshal(newGen(1, 0).transaction())) {
		t.Error("the same seed must give the same Bundle")
	}
	var bundle struct {
		Type  string `json:"type"`
		Entry []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
			Request  struct{ Method, URL string }
		} `json:"entry"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	if bundle.Type != "transaction" || len(bundle.Entry) != bundleResources || bundleResources != 26 {
		t.Fatalf("type %s, %d entries", bundle.Type, len(bundle.Entry))
	}
	full := map[string]bool{}
	counts := map[string]int{}
	for _, e := range bundle.Entry {
		full[e.FullURL] = true
		obj, err := fhir.Decode(e.Resource)
		if err != nil {
			t.Fatal(err)
		}
		if err := fhir.Validate(obj); err != nil {
			t.Errorf("%s is not valid R4: %v %+v", fhir.ResourceType(obj), err, errIssues(err))
		}
		counts[fhir.ResourceType(obj)]++
		if e.Request.Method != "POST" || e.Request.URL != fhir.ResourceType(obj) || !strings.HasPrefix(e.FullURL, "urn:uuid:") {
			t.Errorf("entry request %+v fullUrl %s", e.Request, e.FullURL)
		}
	}
	want := map[string]int{"Patient": 1, "Encounter": 2, "Observation": 17, "Condition": 3, "MedicationRequest": 3}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s, want %d", counts[k], k, n)
		}
	}
	// Every urn:uuid reference resolves inside the Bundle.
	for _, ref := range strings.Split(string(b), `"reference":"`)[1:] {
		target := ref[:strings.IndexByte(ref, '"')]
		if !full[target] {
			t.Errorf("reference %s does not resolve in the Bundle", target)
		}
	}
	if !strings.Contains(string(b), namSystem) {
		t.Error("the Patient has no NAM")
	}
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
