package fhirpath_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

// examplesDir finds the official R4 examples package (scripts/fhir-package).
func examplesDir(t *testing.T) string {
	out, err := exec.Command("../../scripts/fhir-package").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("R4 examples package unavailable: %v", err)
	}
	return dir
}

// TestSearchParamsOverExamples evaluates every R4 search parameter expression
// on every official example of its resource type, in strict mode: none may
// fail, and most parameters must find values somewhere (the expressions
// really navigate).
func TestSearchParamsOverExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 3,000 examples")
	}
	dir := examplesDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	// Strict mode: no R4 search parameter may be rejected by the static check.
	opts := &fhirpath.Options{Model: fhir.R4(), Strict: true}
	evals, failures, found := 0, 0, map[string]bool{}
	used := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := fhir.Decode(b)
		if err != nil {
			continue // package metadata files
		}
		rt := fhir.ResourceType(res)
		if !fhir.IsResourceType(rt) {
			continue
		}
		opts.Resolver = nil
		if rt == "Bundle" {
			opts.Resolver = fhirpath.BundleResolver(res)
		}
		for code, p := range fhir.SearchParams(rt) {
			if p.Expression == "" {
				continue
			}
			key := rt + "." + code
			used[key] = true
			r, err := fhirpath.Evaluate(res, p.Expression, opts)
			evals++
			if err != nil {
				if failures++; failures <= 20 {
					t.Errorf("%s %s: %s: %v", filepath.Base(f), code, p.Expression, err)
				}
				continue
			}
			if len(r) > 0 {
				found[key] = true
			}
		}
	}
	var never []string
	for k := range used {
		if !found[k] {
			never = append(never, k)
		}
	}
	sort.Strings(never)
	if os.Getenv("FHIRPATH_NEVER") != "" {
		for _, k := range never {
			if !strings.Contains(k, "._") {
				t.Log(k)
			}
		}
	}
	t.Logf("%d evaluations over %d files, %d failed; %d of %d parameters found values", evals, len(files), failures, len(found), len(used))
	if len(found) < len(used)/2 {
		t.Errorf("only %d of %d parameters ever found a value; never: %v", len(found), len(used), never)
	}
}
