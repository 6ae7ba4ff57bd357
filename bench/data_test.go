package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"dsn/fhir"
	"dsn/mpi"
)

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
		if fhir.ResourceType(obj) == "Patient" {
			checkNAM(t, obj)
		}
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
	if !strings.Contains(string(b), mpi.NAMSystem) {
		t.Error("the Patient has no NAM")
	}
}

// checkNAM asserts that the Patient's NAM is valid and agrees with its birth date.
func checkNAM(t *testing.T, p fhir.Object) {
	t.Helper()
	ids, _ := p["identifier"].([]any)
	for _, v := range ids {
		id, _ := v.(map[string]any)
		if id["system"] != mpi.NAMSystem {
			continue
		}
		n, err := mpi.ParseNAM(id["value"].(string), time.Now())
		if err != nil {
			t.Fatalf("NAM %v: %v", id["value"], err)
		}
		if got := n.BirthDate.Format("2006-01-02"); got != p["birthDate"] {
			t.Errorf("NAM %s encodes %s, Patient.birthDate is %v", n.Value, got, p["birthDate"])
		}
		return
	}
	t.Error("the Patient has no NAM")
}
