package fhirpath_test

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

// fhir.Definitions is the engine's model (package fhir cannot import this one).
var _ fhirpath.Model = (*fhir.Definitions)(nil)

// The official FHIRPath R4 test suite (see /work/shared/conformance/fhirpath/README.md).
const suiteDir = "../../../shared/conformance/fhirpath"

type suite struct {
	Groups []struct {
		Name  string      `xml:"name,attr"`
		Tests []suiteTest `xml:",any"`
	} `xml:"group"`
}

type suiteTest struct {
	XMLName    xml.Name
	Name       string `xml:"name,attr"`
	Input      string `xml:"inputfile,attr"`
	Predicate  bool   `xml:"predicate,attr"`
	Mode       string `xml:"mode,attr"`
	Ordered    string `xml:"ordered,attr"`
	Expression struct {
		Text    string `xml:",chardata"`
		Invalid string `xml:"invalid,attr"`
		Mode    string `xml:"mode,attr"`
	} `xml:"expression"`
	Outputs []struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	} `xml:"output"`
}

// skipped names the tests this engine does not run, with the reason.
var skipped = map[string]string{}

// conformsToCore is the suite's conformsTo() hook: the core profile of a
// resource type (and of the types it derives from) is the only kind known. The
// inputs are the suite's own examples, taken as valid.
func conformsToCore(res map[string]any, url string) (bool, error) {
	name, ok := strings.CutPrefix(url, "http://hl7.org/fhir/StructureDefinition/")
	m := fhir.R4()
	if !ok || (!m.IsResourceType(name) && m.BaseType(name) == "") {
		return false, fmt.Errorf("profil inconnu %s", url)
	}
	for t := fhir.ResourceType(res); t != ""; t = m.BaseType(t) {
		if t == name {
			return true, nil
		}
	}
	return false, nil
}

func suitePath(t testing.TB) string {
	dir := os.Getenv("FHIRPATH_SUITE")
	if dir == "" {
		dir = suiteDir
	}
	if _, err := os.Stat(filepath.Join(dir, "tests-fhir-r4.xml")); err != nil {
		t.Skipf("FHIRPath suite not found at %s", dir)
	}
	return dir
}

func TestConformance(t *testing.T) {
	dir := suitePath(t)
	raw, err := os.ReadFile(filepath.Join(dir, "tests-fhir-r4.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var s suite
	if err := xml.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]map[string]any{}
	passed, failed := 0, 0
	skipReasons := map[string]int{}
	for _, g := range s.Groups {
		gp, gf := 0, 0
		for _, tc := range g.Tests {
			if tc.XMLName.Local != "test" && tc.XMLName.Local != "modeTest" {
				continue
			}
			if reason, ok := skipped[tc.Name]; ok {
				skipReasons[reason]++
				continue
			}
			input, reason := loadInput(t, dir, tc.Input, inputs)
			if reason != "" {
				skipReasons[reason]++
				continue
			}
			if msg := runCase(tc, input); msg != "" {
				gf++
				t.Errorf("%s/%s: %s\n    expression: %s", g.Name, tc.Name, msg, strings.TrimSpace(tc.Expression.Text))
			} else {
				gp++
			}
		}
		passed += gp
		failed += gf
		t.Logf("group %-32s %3d passed %3d failed", g.Name, gp, gf)
	}
	var reasons []string
	total := 0
	for r, n := range skipReasons {
		reasons = append(reasons, fmt.Sprintf("%d: %s", n, r))
		total += n
	}
	sort.Strings(reasons)
	why := ""
	if len(reasons) > 0 {
		why = " (" + strings.Join(reasons, "; ") + ")"
	}
	fmt.Printf("FHIRPath conformance: %d passed, %d skipped%s, %d failed\n", passed, total, why, failed)
}

func loadInput(t *testing.T, dir, name string, cache map[string]map[string]any) (map[string]any, string) {
	if name == "" {
		return nil, ""
	}
	if r, ok := cache[name]; ok {
		return r, ""
	}
	b, err := os.ReadFile(filepath.Join(dir, "inputs", name))
	if err != nil {
		t.Fatalf("input %s: %v", name, err)
	}
	var obj map[string]any
	if strings.HasSuffix(name, ".xml") {
		obj, err = fromXML(b, fhir.R4())
	} else {
		obj, err = fhir.Decode(b)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	cache[name] = obj
	return obj, ""
}

var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// runCase evaluates one test and returns "" when it passes.
func runCase(tc suiteTest, input map[string]any) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panic: %v", r)
		}
	}()
	opts := &fhirpath.Options{Model: fhir.R4(), Now: fixedNow,
		Strict:        tc.Mode == "strict" || tc.Expression.Mode == "strict",
		LenientChoice: tc.Mode == "lenient/polymorphics", ConformsTo: conformsToCore}
	var in any
	if input != nil {
		in = input
	}
	res, err := fhirpath.Evaluate(in, tc.Expression.Text, opts)
	if tc.Expression.Invalid != "" {
		if err == nil {
			return fmt.Sprintf("expected an error (%s), got %v", tc.Expression.Invalid, fhirpath.Items(res))
		}
		return ""
	}
	if err != nil {
		return "error: " + err.Error()
	}
	if tc.Predicate {
		res = fhirpath.Collection{len(res) > 0}
	}
	got := fhirpath.Items(res)
	if len(got) != len(tc.Outputs) {
		return fmt.Sprintf("got %d items %v, want %d %v", len(got), got, len(tc.Outputs), tc.Outputs)
	}
	want := make([]string, len(tc.Outputs))
	have := make([]string, len(got))
	for i, o := range tc.Outputs {
		want[i] = o.Type + "|" + strings.TrimSpace(o.Text)
		typ := got[i].Type
		if o.Type == "" {
			want[i] = "|" + strings.TrimSpace(o.Text)
			typ = ""
		}
		have[i] = typ + "|" + got[i].Text()
	}
	if tc.Ordered == "false" {
		sort.Strings(want)
		sort.Strings(have)
	}
	for i := range want {
		if want[i] != have[i] {
			return fmt.Sprintf("got %v, want %v", have, want)
		}
	}
	return ""
}
