package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runFHIRPathCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = run(context.Background(), append([]string{"fhirpath"}, args...), env)
	return code, out.String(), errb.String()
}

const cliPatient = `{"resourceType":"Patient","id":"p1","active":true,"birthDate":"1974-12-25",
 "name":[{"use":"official","family":"Chalmers","given":["Peter","James"]},{"use":"usual","given":["Jim"]}],
 "multipleBirthInteger":2}`

func TestFHIRPathCLIOutputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "patient.json")
	if err := os.WriteFile(in, []byte(cliPatient), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ expr, want string }{
		{"birthDate", `[{"type":"date","value":"@1974-12-25"}]`},
		{"Patient.name.where(use='official').given", `[{"type":"string","value":"Peter"},{"type":"string","value":"James"}]`},
		{"'1'.toQuantity()", `[{"type":"Quantity","value":"1 '1'"}]`},
		{"1.50 + 1", `[{"type":"decimal","value":2.50}]`},
		{"active and multipleBirth = 2", `[{"type":"boolean","value":true}]`},
		{"name[1]", `[{"type":"HumanName","value":{"given":["Jim"],"use":"usual"}}]`},
		{"@2014-01-01T10:30 + 1 hour", `[{"type":"dateTime","value":"@2014-01-01T11:30"}]`},
		{"name.family.empty()", `[{"type":"boolean","value":false}]`},
	}
	for _, c := range cases {
		code, out, errs := runFHIRPathCLI(t, "", "--input", in, c.expr)
		if code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("%s: code %d, out %s (stderr %s), want %s", c.expr, code, out, errs, c.want)
		}
	}
}

func TestFHIRPathCLIStdinAndEmptyContext(t *testing.T) {
	code, out, _ := runFHIRPathCLI(t, cliPatient, "--input", "-", "name.given.count()")
	if code != 0 || strings.TrimSpace(out) != `[{"type":"integer","value":3}]` {
		t.Errorf("stdin: code %d out %s", code, out)
	}
	code, out, _ = runFHIRPathCLI(t, "", "name.exists() | (2 * 3)")
	var items []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &items) != nil || len(items) != 2 {
		t.Fatalf("empty context: code %d out %s", code, out)
	}
	if items[0]["value"] != false || items[1]["value"] != float64(6) {
		t.Errorf("empty context: %v", items)
	}
	code, out, _ = runFHIRPathCLI(t, "", "--", "-5 div 2")
	if code != 0 || strings.TrimSpace(out) != `[{"type":"integer","value":-2}]` {
		t.Errorf("-- separator: code %d out %s", code, out)
	}
	code, out, _ = runFHIRPathCLI(t, "", "--var", "n=3", "--var", "s=abc", "%n + %s.length()")
	if code != 0 || strings.TrimSpace(out) != `[{"type":"integer","value":6}]` {
		t.Errorf("--var: code %d out %s", code, out)
	}
}

func TestFHIRPathCLIBundleResolve(t *testing.T) {
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[
	 {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Observation","id":"o1","status":"final",
	   "code":{"text":"x"},"subject":{"reference":"Patient/p1"}}},
	 {"fullUrl":"http://example.org/fhir/Patient/p1","resource":` + cliPatient + `}]}`
	code, out, errs := runFHIRPathCLI(t, bundle, "--input", "-",
		"Bundle.entry.resource.ofType(Observation).subject.resolve().name.first().family")
	if code != 0 || strings.TrimSpace(out) != `[{"type":"string","value":"Chalmers"}]` {
		t.Errorf("resolve: code %d out %s err %s", code, out, errs)
	}
}

func TestFHIRPathCLIMemberOf(t *testing.T) {
	dir := t.TempDir()
	vs := filepath.Join(dir, "vs.json")
	os.WriteFile(vs, []byte(`{"resourceType":"ValueSet","url":"http://x/vs","compose":{"include":[
	 {"system":"http://loinc.org","concept":[{"code":"29463-7"}]}]}}`), 0o600)
	obs := `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]}}`
	code, out, errs := runFHIRPathCLI(t, obs, "--input", "-", "--valueset", vs, "code.memberOf('http://x/vs')")
	if code != 0 || strings.TrimSpace(out) != `[{"type":"boolean","value":true}]` {
		t.Errorf("memberOf: code %d out %s err %s", code, out, errs)
	}
	code, _, errs = runFHIRPathCLI(t, obs, "--input", "-", "code.memberOf('http://x/other')")
	if code != 1 || !strings.Contains(errs, "http://x/other") {
		t.Errorf("unknown ValueSet: code %d err %s", code, errs)
	}
}

func TestFHIRPathCLIErrors(t *testing.T) {
	code, out, errs := runFHIRPathCLI(t, "", "Patient.name.where(")
	if code != 1 || out != "" || !strings.Contains(errs, "dsn fhirpath:") {
		t.Errorf("syntax error: code %d out %q err %q", code, out, errs)
	}
	code, _, errs = runFHIRPathCLI(t, "", "foo()")
	if code != 1 || !strings.Contains(errs, "foo") {
		t.Errorf("unknown function: code %d err %q", code, errs)
	}
	code, _, _ = runFHIRPathCLI(t, "", "--input", "/nonexistent.json", "1")
	if code != 1 {
		t.Errorf("missing input: code %d", code)
	}
	code, _, _ = runFHIRPathCLI(t, "")
	if code != 2 {
		t.Errorf("no expression: code %d, want 2", code)
	}
	code, _, errs = runFHIRPathCLI(t, "", "(1|2) + 1")
	if code != 1 || !strings.Contains(errs, "un seul élément") {
		t.Errorf("evaluation error: code %d err %q", code, errs)
	}
}
