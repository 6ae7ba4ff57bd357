package search

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
)

// TestR4Coverage compiles the plan of every R4 resource type from the
// generated definitions and checks that the common clinical parameters are
// extracted; it logs the overall coverage.
func TestR4Coverage(t *testing.T) {
	var total, unsupported, noExpr, composite int
	for _, rt := range resourceTypes() {
		params := fhir.SearchParams(rt)
		u := NotExtracted(rt)
		total += len(params) - 2 // _id and _lastUpdated are columns
		unsupported += len(u)
		for _, c := range u {
			switch {
			case params[c].Type == dsn.ParamComposite:
				composite++
			case params[c].Expression == "":
				noExpr++
			}
		}
	}
	if total == 0 {
		t.Fatal("no R4 search parameters")
	}
	withExpr := total - noExpr
	t.Logf("extracted %d of %d R4 search parameters (%.1f%%), %d of the %d with an expression (%.2f%%); not extracted: %d composite, %d without expression (_text, _content, _filter...), %d other (special)",
		total-unsupported, total, 100*float64(total-unsupported)/float64(total), total-unsupported, withExpr,
		100*float64(total-unsupported)/float64(withExpr), composite, noExpr, unsupported-composite-noExpr)
	// Composites are extracted and searched (the CapabilityStatement lists them).
	if slices.Contains(Unsupported("Observation"), "code-value-quantity") || slices.Contains(NotExtracted("Observation"), "code-value-quantity") {
		t.Errorf("Observation code-value-quantity: Unsupported %v, NotExtracted %v", Unsupported("Observation"), NotExtracted("Observation"))
	}
	if composite != 0 || unsupported-composite-noExpr != 0 {
		t.Errorf("every parameter with an expression must be extracted (Location near apart, in near.go): %d are not", unsupported-composite-noExpr)
	}
	for rt, codes := range map[string][]string{
		"Patient":           {"identifier", "name", "family", "given", "birthdate", "gender", "phone", "email", "address", "general-practitioner", "death-date"},
		"Observation":       {"code", "patient", "subject", "date", "value-quantity", "category", "encounter", "combo-code"},
		"Encounter":         {"patient", "date", "class", "type", "status"},
		"Condition":         {"code", "patient", "onset-date", "clinical-status"},
		"MedicationRequest": {"code", "patient", "medication", "authoredon", "status"},
	} {
		u := Unsupported(rt)
		for _, c := range codes {
			if slices.Contains(u, c) {
				t.Errorf("%s.%s is not extracted", rt, c)
			}
		}
	}
}

// TestR4Examples extracts every example of the official package: it must
// never fail, and clinical examples referencing a Patient get a patient key.
func TestR4Examples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(examplesDir(), "*-*.json"))
	if len(files) == 0 {
		t.Skip("R4 examples package not found; run scripts/fhir-package")
	}
	var rows, keyed, n int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := fhir.Decode(b)
		if err != nil || fhir.SearchParams(fhir.ResourceType(obj)) == nil {
			continue
		}
		ix, key, err := Extract(obj)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		n++
		rows += len(ix.Tokens) + len(ix.Strings) + len(ix.Dates) + len(ix.References) + len(ix.Quantities) + len(ix.Numbers) + len(ix.URIs)
		if key != "" {
			keyed++
		}
		if strings.HasSuffix(f, "Observation-example.json") {
			if !slices.ContainsFunc(ix.Tokens, func(k dsn.TokenKey) bool { return k.Param == "code" && k.Code == "29463-7" }) {
				t.Errorf("Observation/example: code 29463-7 not indexed: %+v", ix.Tokens)
			}
			if key != "example" {
				t.Errorf("Observation/example patient key = %q", key)
			}
		}
	}
	t.Logf("%d examples, %d index rows, %d with a patient key", n, rows, keyed)
}

// resourceTypes lists the resource types named by the examples package files
// (every R4 type has examples), or a fixed list of common ones without it.
func resourceTypes() []string {
	seen := map[string]bool{}
	var out []string
	files, _ := filepath.Glob(filepath.Join(examplesDir(), "*-*.json"))
	for _, f := range files {
		rt, _, _ := strings.Cut(filepath.Base(f), "-")
		if !seen[rt] && fhir.R4().IsResourceType(rt) && fhir.SearchParams(rt) != nil {
			seen[rt] = true
			out = append(out, rt)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, rt := range []string{"Patient", "Observation", "Encounter", "Condition", "MedicationRequest",
		"Procedure", "DiagnosticReport", "AllergyIntolerance", "Immunization", "Practitioner",
		"Organization", "Location", "ServiceRequest", "DocumentReference", "CarePlan", "Appointment",
		"QuestionnaireResponse", "Questionnaire", "ValueSet", "CodeSystem", "Bundle", "Composition",
		"Medication", "MedicationAdministration", "MedicationDispense", "MedicationStatement",
		"EpisodeOfCare", "Consent", "Provenance", "AuditEvent", "Task", "Group", "RelatedPerson",
		"PractitionerRole", "Coverage", "Claim", "Specimen", "ImagingStudy", "Goal", "Flag"} {
		if fhir.SearchParams(rt) != nil {
			out = append(out, rt)
		}
	}
	return out
}

func examplesDir() string {
	if dir := os.Getenv("DSN_FHIR_PACKAGE"); dir != "" {
		return dir
	}
	return filepath.Join(os.Getenv("HOME"), ".cache/dsn/hl7.fhir.r4.examples-4.0.1/package")
}

// The parameters every resource has from meta (search.html#all) are
// extracted with the R4 definitions: _tag, _profile, _security, _source.
func TestMetaParameters(t *testing.T) {
	obj, err := fhir.Decode([]byte(`{"resourceType":"Observation","id":"o","meta":{"source":"urn:src:lab#1",
		"profile":["http://x/StructureDefinition/p"],"tag":[{"system":"urn:t","code":"demo"}],
		"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]},
		"status":"final","code":{"text":"x"}}`))
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := Extract(obj)
	if err != nil {
		t.Fatal(err)
	}
	has := func(param, code string) bool {
		for _, k := range ix.Tokens {
			if k.Param == param && k.Code == code {
				return true
			}
		}
		for _, k := range ix.URIs {
			if k.Param == param && k.URI == code {
				return true
			}
		}
		return false
	}
	for param, v := range map[string]string{"_tag": "demo", "_security": "R", "_profile": "http://x/StructureDefinition/p", "_source": "urn:src:lab#1"} {
		if !has(param, v) {
			t.Errorf("%s=%s not extracted: %+v %+v", param, v, ix.Tokens, ix.URIs)
		}
	}
}
