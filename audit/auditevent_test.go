package audit

import (
	"encoding/json"
	"testing"

	"dsn"
	"dsn/internal/language/langtest"
)

// A resource refused to the reader is an entity described « refusé », with
// its English in the R4 translation extension.
func TestAuditEventDeniedInBothLanguages(t *testing.T) {
	body, err := json.Marshal(Entry{Agent: "user:u", Action: "read", Patient: "p1", Denied: []string{"Observation/o1"}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := AuditEvent(dsn.AuditEntry{Seq: 1, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	var denied map[string]any
	for _, e := range ev["entity"].([]any) {
		if e := e.(map[string]any); e["what"].(map[string]any)["reference"] == "Observation/o1" {
			denied = e
		}
	}
	if denied == nil || denied["description"] != "refusé" {
		t.Fatalf("denied entity: %v", ev["entity"])
	}
	b, _ := json.Marshal(denied["_description"])
	want := `{"extension":[{"extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"refused"}],"url":"http://hl7.org/fhir/StructureDefinition/translation"}]}`
	if string(b) != want {
		t.Fatalf("_description = %s, want %s", b, want)
	}
}

// The reasons of a failed verification have both languages, same arguments.
func TestVerifyWordsBothLanguages(t *testing.T) { langtest.Both(t, verifyWords) }
