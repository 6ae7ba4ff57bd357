package provincial

import (
	"testing"

	"dsn/fhir"
	"dsn/mpi"
)

// A temporary identity (an unconscious patient registered under a
// placeholder name, quebec.md §1.1) is never joined automatically, even
// with the NAM, birth date, address and phone of a known person; once the
// archivist's colleague enters the real name, the next link job joins it.
func TestTemporaryIdentityNotLinkedUntilIdentified(t *testing.T) {
	e := newEnv(t)
	e.put("s1", marie)
	e.drain()
	g1 := e.golden("s1")

	temp := fhir.Object{"resourceType": "Patient", "id": "t1",
		"name":   []any{map[string]any{"use": "temp", "family": "Inconnue", "given": []any{"Femme"}}},
		"gender": "female", "birthDate": marie.birth,
		"identifier": []any{map[string]any{"system": mpi.NAMSystem, "value": marie.nam}},
		"telecom":    []any{map[string]any{"system": "phone", "value": marie.phone}},
		"address":    []any{map[string]any{"line": []any{"12 rue des Forges"}, "city": "Trois-Rivières", "postalCode": marie.postal}}}
	if _, err := e.api.Update(e.ctx, "Patient", "t1", fhir.Encode(temp), 0); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if g := e.golden("t1"); g == g1 {
		t.Fatalf("temporary identity joined %s automatically", g1)
	}
	if len(e.tasks("t1")) == 0 {
		t.Fatalf("temporary identity with the NAM of a known person: want a review Task")
	}

	// Identified: the real name replaces the placeholder; now certain, joined.
	e.put("t1", marie)
	e.drain()
	if g := e.golden("t1"); g != g1 {
		t.Fatalf("identified patient in %s, want %s", g, g1)
	}
}
