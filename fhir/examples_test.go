package fhir

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"dsn"
)

// examplesDir locates the official R4 package through scripts/fhir-package. If
// it is unavailable the test skips, except under CI=true where it fails.
func examplesDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("../scripts/fhir-package").Output()
	dir := strings.TrimSpace(string(out))
	if err == nil {
		if _, err = os.Stat(filepath.Join(dir, "package.json")); err == nil {
			return dir
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("R4 examples package unavailable: %v", err)
	}
	t.Skipf("R4 examples package unavailable: %v", err)
	return ""
}

// example is one file of the package whose resourceType is a resource type.
type example struct {
	name string
	body []byte
	obj  Object
}

// forEachExample calls fn on each file of the package whose resourceType is a
// resource type, one at a time so that the 190 MB package is never all in memory.
// Files larger than maxSize bytes are skipped (0: none).
func forEachExample(t testing.TB, maxSize int64, fn func(ex example)) int {
	dir := examplesDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	n := 0
	for _, f := range files {
		base := filepath.Base(f)
		if base == "package.json" || strings.HasPrefix(base, ".") {
			continue
		}
		if fi, err := os.Stat(f); err != nil || maxSize > 0 && fi.Size() > maxSize {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := Decode(body)
		if err != nil {
			t.Errorf("%s: Decode: %v", base, err)
			continue
		}
		if IsResourceType(ResourceType(obj)) {
			n++
			fn(example{name: base, body: body, obj: obj})
		}
	}
	return n
}

func TestExamplesValidate(t *testing.T) {
	failed := 0
	n := forEachExample(t, 0, func(ex example) {
		err := Validate(ex.obj)
		if reason, allowed := invalidExamples[ex.name]; allowed {
			if err == nil {
				t.Errorf("%s is allow-listed (%s) but now validates", ex.name, reason)
			}
			return
		}
		if err != nil {
			failed++
			for _, is := range dsn.IssuesOf(err) {
				t.Errorf("%s: %s: %s", ex.name, is.Expression, is.Diagnostics)
			}
		}
	})
	if n < 3000 {
		t.Fatalf("only %d examples found", n)
	}
	t.Logf("%d examples, %d failed", n, failed)
}

// invalidExamples lists official examples that are genuinely invalid, with why.
// The test fails if one of them starts to validate, so the list stays exact.
var invalidExamples = map[string]string{
	"DeviceMetric-example.json":        "parent references a DeviceDefinition; DeviceMetric.parent allows Device only",
	"DeviceUseStatement-example.json":  "reasonReference to a Procedure; the element does not allow Procedure",
	"MedicationRequest-medrx0301.json": "dispenseRequest.performer references a Practitioner; only Organization is allowed",
	"Observation-clinical-gender.json": "performer references an Encounter, which is not an allowed target",
	"Questionnaire-qs1.json":           "nested items lack the required linkId (Questionnaire.item.linkId 1..1)",
	"ImplementationGuide-fhir.json":    "lacks required name and status; a manifest reference has an id longer than 64",
	"ig-r4.json":                       "same file as ImplementationGuide-fhir.json",
	"SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json": "id longer than 64 characters",
	"SearchParameter-codesystem-extensions-CodeSystem-author.json":                             "lacks the required base",
	"SearchParameter-codesystem-extensions-CodeSystem-effective.json":                          "lacks the required base",
	"SearchParameter-codesystem-extensions-CodeSystem-end.json":                                "lacks the required base",
	"SearchParameter-codesystem-extensions-CodeSystem-keyword.json":                            "lacks the required base",
	"SearchParameter-codesystem-extensions-CodeSystem-workflow.json":                           "lacks the required base",
	"SearchParameter-valueset-extensions-ValueSet-author.json":                                 "lacks the required base",
	"SearchParameter-valueset-extensions-ValueSet-effective.json":                              "lacks the required base",
	"SearchParameter-valueset-extensions-ValueSet-end.json":                                    "lacks the required base",
	"SearchParameter-valueset-extensions-ValueSet-keyword.json":                                "lacks the required base",
	"SearchParameter-valueset-extensions-ValueSet-workflow.json":                               "lacks the required base",
}
