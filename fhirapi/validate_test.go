package fhirapi

import (
	"fmt"
	"strings"
	"testing"

	"dsn"
)

// issues returns the OperationOutcome's issues as "severity code
// expression: diagnostics" lines.
func issueLines(t *testing.T, r resp) []string {
	t.Helper()
	o := r.obj(t)
	if o["resourceType"] != "OperationOutcome" {
		t.Fatalf("not an OperationOutcome: %d %s", r.status, r.body)
	}
	var out []string
	for _, x := range o["issue"].([]any) {
		is := x.(map[string]any)
		expr := ""
		if e, ok := is["expression"].([]any); ok {
			expr = fmt.Sprint(e[0])
		}
		out = append(out, fmt.Sprintf("%s %s %s: %s", is["severity"], is["code"], expr, is["diagnostics"]))
	}
	return out
}

// wantValid checks a 200 answer with only the "no issues" information.
func wantValid(t *testing.T, what string, r resp) {
	t.Helper()
	lines := issueLines(t, r)
	if r.status != 200 || len(lines) != 1 || !strings.HasPrefix(lines[0], "information informational") {
		t.Fatalf("%s: want valid, got %d %q", what, r.status, lines)
	}
}

// wantIssue checks a 200 answer holding an issue that contains want.
func wantIssue(t *testing.T, what string, r resp, want string) {
	t.Helper()
	lines := issueLines(t, r)
	if r.status != 200 {
		t.Fatalf("%s: status %d %q", what, r.status, lines)
	}
	for _, l := range lines {
		if strings.Contains(l, want) {
			return
		}
	}
	t.Fatalf("%s: no issue with %q in %q", what, want, lines)
}

// history counts the versions stored (every write leaves one).
func historyTotal(t *testing.T, s *testServer) float64 {
	t.Helper()
	r := s.do(t, "GET", "/fhir/_history", "")
	if r.status != 200 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
	return r.obj(t)["total"].(float64)
}

// $validate (resource-operations.html#validate) answers an OperationOutcome,
// 200 whether or not the resource is valid, in every mode, and never writes.
func TestValidateOperation(t *testing.T) {
	bothStores(t, func(t *testing.T, st dsn.Store) {
		s := newServerOn(t, st)
		nam := mustNAM(t, "Tremblay", "Pierre", "1965-03-05", false, '1')
		good := patientJSON("Tremblay", "Pierre", "1965-03-05", "male", nam, "G9A 5H7")
		created := s.do(t, "POST", "/fhir/Patient", good)
		id := created.obj(t)["id"].(string)
		before := historyTotal(t, s)
		withID := strings.Replace(good, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`",`, 1)
		invalid := `{"resourceType":"Patient","gender":"peut-être"}`
		params := func(res, mode string) string {
			var ps []string
			if res != "" {
				ps = append(ps, `{"name":"resource","resource":`+res+`}`)
			}
			if mode != "" {
				ps = append(ps, `{"name":"mode","valueCode":"`+mode+`"}`)
			}
			return paramsBody(ps...)
		}

		// The resource as the body, or in Parameters; general and create modes.
		wantValid(t, "bare Patient", s.do(t, "POST", "/fhir/Patient/$validate", good))
		wantValid(t, "Parameters create", s.do(t, "POST", "/fhir/Patient/$validate", params(good, "create")))
		wantValid(t, "create ignores the client id", s.do(t, "POST", "/fhir/Patient/$validate", params(withID, "create")))
		wantIssue(t, "invalid code", s.do(t, "POST", "/fhir/Patient/$validate", invalid), "error ")
		wantIssue(t, "invalid code, expression", s.do(t, "POST", "/fhir/Patient/$validate", params(invalid, "create")), "Patient.gender")
		wantIssue(t, "unknown element", s.do(t, "POST", "/fhir/Observation/$validate",
			`{"resourceType":"Observation","status":"final","code":{"text":"x"},"couleur":"bleu"}`), "couleur")
		wantIssue(t, "other type", s.do(t, "POST", "/fhir/Patient/$validate",
			`{"resourceType":"Observation","status":"final","code":{"text":"x"}}`), "invalid resourceType")
		// A NAM disagreeing with the demographics: the write would succeed, with warnings.
		bad := patientJSON("Gagnon", "Pierre", "1965-05-03", "male", nam, "G9A 5H7")
		wantIssue(t, "NAM warning", s.do(t, "POST", "/fhir/Patient/$validate", bad), "warning business-rule Patient.identifier: NAM")

		// update: the id must be the URL's; an unknown id is an update as create.
		wantValid(t, "update", s.do(t, "POST", "/fhir/Patient/"+id+"/$validate", params(withID, "update")))
		wantValid(t, "update, id from the body", s.do(t, "POST", "/fhir/Patient/$validate", params(withID, "update")))
		wantValid(t, "update as create", s.do(t, "POST", "/fhir/Patient/nouveau-1/$validate",
			params(strings.Replace(withID, id, "nouveau-1", 1), "update")))
		wantIssue(t, "update, other id", s.do(t, "POST", "/fhir/Patient/autre/$validate", params(withID, "update")), "error invalid id:")
		wantIssue(t, "update without id", s.do(t, "POST", "/fhir/Patient/$validate", params(good, "update")), "error required id:")
		// delete: the resource may go; deleting what is not there is only information.
		wantValid(t, "delete", s.do(t, "POST", "/fhir/Patient/"+id+"/$validate", params("", "delete")))
		wantValid(t, "delete, mode in the URL, no body", s.do(t, "POST", "/fhir/Patient/"+id+"/$validate?mode=delete", ""))
		wantIssue(t, "delete of nothing", s.do(t, "POST", "/fhir/Patient/absent/$validate?mode=delete", ""), "information not-found")
		// profile: the stored resource against the base definition.
		wantValid(t, "profile", s.do(t, "POST", "/fhir/Patient/"+id+"/$validate", params("", "profile")))
		wantValid(t, "profile, base URL", s.do(t, "POST", "/fhir/Patient/"+id+"/$validate?mode=profile&profile=http://hl7.org/fhir/StructureDefinition/Patient", ""))

		// The validation itself cannot be done: 4xx OperationOutcomes.
		for name, c := range map[string]struct {
			path, body string
			status     int
		}{
			"unknown mode":       {"/fhir/Patient/$validate", params(good, "supprimer"), 400},
			"delete without id":  {"/fhir/Patient/$validate", params("", "delete"), 400},
			"no resource":        {"/fhir/Patient/$validate", params("", "create"), 400},
			"empty body":         {"/fhir/Patient/$validate", "", 400},
			"not JSON":           {"/fhir/Patient/$validate", "{", 400},
			"unknown type":       {"/fhir/Chose/$validate", good, 404},
			"profile of nothing": {"/fhir/Patient/absent/$validate?mode=profile", "", 404},
			"other profile":      {"/fhir/Patient/$validate?profile=http://example.org/StructureDefinition/x", good, 422},
			"bad id":             {"/fhir/Patient/a%20b/$validate?mode=delete", "", 400},
		} {
			wantOO(t, s.do(t, "POST", c.path, c.body), c.status)
			_ = name
		}

		// Nothing was written by any of it.
		if after := historyTotal(t, s); after != before {
			t.Fatalf("$validate wrote: history %v → %v", before, after)
		}
		if r := s.do(t, "GET", "/fhir/Patient/nouveau-1", ""); r.status != 404 {
			t.Fatalf("update-as-create validated, then read: %d", r.status)
		}
		// Declared for every type in the CapabilityStatement.
		meta := string(s.do(t, "GET", "/fhir/metadata", "").body)
		if n := strings.Count(meta, `"definition":"`+validateOpURL+`","name":"validate"`); n < 140 {
			t.Fatalf("$validate declared for %d types", n)
		}
	})
}

// With the provincial record, a golden record belongs to the MPI: $validate
// reports the refusal a client's write of one would meet (422 business-rule),
// for create, update and delete alike.
func TestValidateGoldenRecord(t *testing.T) {
	bothStores(t, func(t *testing.T, st dsn.Store) {
		s, _ := newRecordsServerOn(t, st)
		id := s.do(t, "POST", "/fhir/Patient", patientJSON("Tremblay", "Pierre", "1965-03-05", "male", "", "G9A 5H7")).obj(t)["id"].(string)
		reg := s.do(t, "GET", "/fhir/Patient/"+id, "").obj(t) // with its refer link to its golden record
		gref := reg["link"].([]any)[0].(map[string]any)["other"].(map[string]any)["reference"].(string)
		gid := strings.TrimPrefix(gref, "Patient/")
		golden := s.do(t, "GET", "/fhir/"+gref, "")
		before := historyTotal(t, s)
		wantIssue(t, "update of a golden record", s.do(t, "POST", "/fhir/Patient/"+gid+"/$validate?mode=update", string(golden.body)),
			"error business-rule Patient.meta.tag")
		wantIssue(t, "delete of a golden record", s.do(t, "POST", "/fhir/Patient/"+gid+"/$validate?mode=delete", ""), "business-rule")
		wantIssue(t, "create of a golden record", s.do(t, "POST", "/fhir/Patient/$validate?mode=create", string(golden.body)), "business-rule")
		wantValid(t, "update of a registration", s.do(t, "POST", "/fhir/Patient/"+reg["id"].(string)+"/$validate?mode=update",
			string(s.do(t, "GET", "/fhir/Patient/"+reg["id"].(string), "").body)))
		// The write itself is refused as $validate said.
		if r := s.do(t, "DELETE", "/fhir/Patient/"+gid, ""); r.status != 422 {
			t.Fatalf("delete of a golden record: %d", r.status)
		}
		if after := historyTotal(t, s); after != before {
			t.Fatalf("$validate wrote: history %v → %v", before, after)
		}
	})
}
