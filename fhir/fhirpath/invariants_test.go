package fhirpath_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

// knownViolations are invariants the official examples really break (checked
// by hand in the JSON); any other violation fails the test.
var knownViolations = map[string]string{
	"Bundle-dataelements.json bdl-7":            "the example repeats fullUrls",
	"StructureDefinition-Definition.json sdf-4": "logical model without baseDefinition",
	"StructureDefinition-Event.json sdf-4":      "logical model without baseDefinition",
	"StructureDefinition-FiveWs.json sdf-4":     "logical model without baseDefinition",
	"StructureDefinition-Request.json sdf-4":    "logical model without baseDefinition",
}

type invariant struct {
	path, key, expr string
}

// loadInvariants reads the error-severity constraints of a resource type's
// StructureDefinition snapshot in the examples package.
func loadInvariants(dir, typ string) []invariant {
	b, err := os.ReadFile(filepath.Join(dir, "StructureDefinition-"+typ+".json"))
	if err != nil {
		return nil
	}
	var sd struct {
		Snapshot struct {
			Element []struct {
				Path       string `json:"path"`
				Constraint []struct {
					Key        string `json:"key"`
					Severity   string `json:"severity"`
					Expression string `json:"expression"`
				} `json:"constraint"`
			} `json:"element"`
		} `json:"snapshot"`
	}
	if json.Unmarshal(b, &sd) != nil {
		return nil
	}
	var out []invariant
	for _, el := range sd.Snapshot.Element {
		for _, c := range el.Constraint {
			if c.Severity == "error" && c.Expression != "" {
				out = append(out, invariant{strings.ReplaceAll(el.Path, "[x]", ""), c.Key, c.Expression})
			}
		}
	}
	return out
}

// TestInvariantsOverExamples checks every error-level invariant of the R4
// resource definitions (ele-1, dom-2…, per-resource rules) on every official
// example: the examples are valid, so each invariant must hold on each element
// it constrains. It exercises the engine on real expressions (descendants(),
// %resource, iif, matches, implies, as(), resolve()...).
func TestInvariantsOverExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 3,000 examples")
	}
	dir := examplesDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	cache := map[string][]invariant{}
	opts := &fhirpath.Options{Model: fhir.R4(), LenientAs: true}
	checks, failed := 0, map[string]int{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		res, err := fhir.Decode(b)
		if err != nil || !fhir.IsResourceType(fhir.ResourceType(res)) {
			continue
		}
		rt := fhir.ResourceType(res)
		invs, ok := cache[rt]
		if !ok {
			invs = loadInvariants(dir, rt)
			cache[rt] = invs
		}
		opts.Resource = res
		for _, inv := range invs {
			focus, err := fhirpath.Evaluate(res, inv.path, opts)
			if err != nil {
				t.Fatalf("path %s: %v", inv.path, err)
			}
			for _, node := range focus {
				checks++
				r, err := fhirpath.Evaluate(fhirpath.Collection{node}, inv.expr, opts)
				if err == nil && len(r) == 1 && r[0] == true {
					continue
				}
				if len(r) == 0 && err == nil {
					continue // empty: not a violation (FHIR validators read it as "not false")
				}
				key := filepath.Base(f) + " " + inv.key
				if _, known := knownViolations[key]; known {
					failed[key]++
					continue
				}
				t.Errorf("%s %s on %s: %v %v\n    %s", filepath.Base(f), inv.key, inv.path, fhirpath.Items(r), err, inv.expr)
			}
		}
	}
	t.Logf("%d invariant checks; %d known violations in the examples", checks, len(failed))
	if len(failed) != len(knownViolations) {
		t.Errorf("known violations found: %v, expected all of %v", failed, knownViolations)
	}
}
