package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSplitUnion(t *testing.T) {
	cases := map[string][]string{
		"Patient.name": {"Patient.name"},
		"A.x | B.y":    {"A.x", "B.y"},
		"(A.value as Quantity) | (B.value as SampledData)": {"(A.value as Quantity)", "(B.value as SampledData)"},
		"A.x.where(a = 'p|q') | B.y":                       {"A.x.where(a = 'p|q')", "B.y"},
		"A.x.where((b | c).exists()) | B.y":                {"A.x.where((b | c).exists())", "B.y"},
		"A.x.where(s = 'it\\'s|') | B":                     {"A.x.where(s = 'it\\'s|')", "B"},
	}
	for in, want := range cases {
		if got := splitUnion(in); !slices.Equal(got, want) {
			t.Errorf("splitUnion(%q) = %q, want %q", in, got, want)
		}
	}
	terms := splitUnion("AllergyIntolerance.patient | CarePlan.subject.where(resolve() is Patient) | (CarePlan.x as Reference)")
	if got := termsFor(terms, "CarePlan"); got != "CarePlan.subject.where(resolve() is Patient) | (CarePlan.x as Reference)" {
		t.Errorf("termsFor CarePlan = %q", got)
	}
	if got := termsFor([]string{"name", "alias"}, "InsurancePlan"); got != "name | alias" {
		t.Errorf("termsFor relative = %q", got)
	}
}

func TestExpand(t *testing.T) {
	cs := map[string]any{"resourceType": "CodeSystem", "url": "http://cs", "content": "complete",
		"concept": []any{
			map[string]any{"code": "a", "concept": []any{map[string]any{"code": "a1"}, map[string]any{"code": "a2"}}},
			map[string]any{"code": "b"},
		}}
	vs := func(url string, compose map[string]any) map[string]any {
		return map[string]any{"resourceType": "ValueSet", "url": url, "compose": compose}
	}
	r := &resources{byURL: map[string]map[string]any{
		"http://cs":  cs,
		"http://all": vs("http://all", map[string]any{"include": []any{map[string]any{"system": "http://cs"}}}),
		"http://isa": vs("http://isa", map[string]any{"include": []any{map[string]any{"system": "http://cs",
			"filter": []any{map[string]any{"property": "concept", "op": "is-a", "value": "a"}}}}}),
		"http://ref": vs("http://ref", map[string]any{
			"include": []any{map[string]any{"valueSet": []any{"http://all|4.0.1"}}},
			"exclude": []any{map[string]any{"system": "http://cs", "concept": []any{map[string]any{"code": "b"}}}}}),
		"http://ext": vs("http://ext", map[string]any{"include": []any{map[string]any{"system": "urn:ietf:bcp:13"}}}),
		"http://regex": vs("http://regex", map[string]any{"include": []any{map[string]any{"system": "http://cs",
			"filter": []any{map[string]any{"property": "code", "op": "regex", "value": "a.*"}}}}}),
	}}
	want := map[string][]string{
		"http://all": {"a", "a1", "a2", "b"},
		"http://isa": {"a", "a1", "a2"},
		"http://ref": {"a", "a1", "a2"},
	}
	for url, codes := range want {
		got, ok := expand(r, canonical(url), map[string]bool{})
		if !ok || !slices.Equal(got["http://cs"], codes) {
			t.Errorf("expand(%s) = %v, %v; want %v", url, got, ok, codes)
		}
	}
	for _, url := range []string{"http://ext", "http://regex", "http://missing"} {
		if got, ok := expand(r, url, map[string]bool{}); ok {
			t.Errorf("expand(%s) = %v, want not expandable", url, got)
		}
	}
}

// TestTablesUpToDate regenerates the tables from the package and requires the
// committed fhir/r4.json.gz to be byte-identical (run go generate ./fhir).
func TestTablesUpToDate(t *testing.T) {
	out, err := exec.Command("../../scripts/fhir-package").Output()
	pkg := strings.TrimSpace(string(out))
	if err != nil || pkg == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("R4 package unavailable: %v", err)
		}
		t.Skipf("R4 package unavailable: %v", err)
	}
	tmp := filepath.Join(t.TempDir(), "r4.json.gz")
	o, err := generate(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(tmp, o); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(tmp)
	committed, err := os.ReadFile("../r4.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Error("fhir/r4.json.gz is stale: run go generate ./fhir")
	}
}
