package fhir

import (
	"encoding/json"
	"sort"
	"strconv"
	"testing"

	"dsn"
)

// leaf is a primitive value inside a resource: where it is and how to replace it.
type leaf struct {
	path string
	typ  string
	vs   string
	set  func(any)
}

// leaves walks obj along the definitions, in sorted key order, and lists its
// primitive values with the FHIRPath the validator is expected to report.
func leaves(d *Definitions, obj map[string]any, td *typeDef, path string, out *[]leaf) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ref, ok := td.byJSON[k]
		if !ok {
			continue
		}
		p := path + "." + k
		if ref.el.Choice {
			p = path + "." + ref.el.Name + ".ofType(" + ref.typ + ")"
		}
		if arr, isArr := obj[k].([]any); isArr {
			for i, item := range arr {
				ip := p + "[" + strconv.Itoa(i) + "]"
				leavesOf(d, item, ref, ip, func(v any) { arr[i] = v }, out)
			}
			continue
		}
		leavesOf(d, obj[k], ref, p, func(v any) { obj[k] = v }, out)
	}
}

func leavesOf(d *Definitions, val any, ref jsonRef, path string, set func(any), out *[]leaf) {
	if d.isPrimitive(ref.typ) {
		if val != nil {
			*out = append(*out, leaf{path: path, typ: ref.typ, vs: ref.el.VS, set: set})
		}
		return
	}
	o, ok := val.(map[string]any)
	if !ok {
		return
	}
	td := d.types[ref.typ]
	if td.kind == "resource" {
		td = d.types[ResourceType(o)]
	}
	leaves(d, o, td, path, out)
}

// mutation breaks one copy of an example; pick returns false when the example
// has no element it can break.
type mutation struct {
	name, code string
	pick       func(l leaf) bool
	value      any
}

var mutations = []mutation{
	{"wrong JSON type", "structure", func(l leaf) bool { return l.typ == "string" }, json.Number("12345")},
	{"bad date", "value", func(l leaf) bool { return l.typ == "date" || l.typ == "dateTime" }, "2023-13-45"},
	{"invalid required code", "code-invalid", func(l leaf) bool { return l.vs != "" && l.typ == "code" }, "not-a-code"},
	{"bad boolean", "structure", func(l leaf) bool { return l.typ == "boolean" }, "yes"},
}

// maxMutated skips the few huge definition Bundles (up to 35 MB; their entries
// are also in the package as single files, which are mutated) to keep the test short.
const maxMutated = 1 << 20

// TestExamplesBroken breaks copies of every official example and checks that
// Validate rejects each with an issue that points at the broken element.
func TestExamplesBroken(t *testing.T) {
	d := R4()
	tried := map[string]int{}
	seen := 0
	forEachExample(t, maxMutated, func(ex example) {
		if _, bad := invalidExamples[ex.name]; bad || skipInShort(&seen) {
			return
		}
		rt := ResourceType(ex.obj)
		expectIssue(t, ex, "unknown element", func(o Object) string { o["notAnElement"] = true; return rt + ".notAnElement" }, "structure")
		tried["unknown element"]++
		for _, m := range mutations {
			obj, _ := Decode(ex.body)
			var ls []leaf
			leaves(d, obj, d.types[rt], rt, &ls)
			for _, l := range ls {
				if m.pick(l) {
					l.set(m.value)
					checkBroken(t, ex.name, m.name, obj, m.code, l.path)
					tried[m.name]++
					break
				}
			}
		}
	})
	t.Logf("broken copies checked: %v", tried)
	if min := 1000 / shortFactor(); tried["invalid required code"] < min || tried["bad date"] < min {
		t.Errorf("too few mutations applied: %v", tried)
	}
}

func expectIssue(t *testing.T, ex example, what string, breakIt func(Object) string, code string) {
	obj, _ := Decode(ex.body)
	expr := breakIt(obj)
	checkBroken(t, ex.name, what, obj, code, expr)
}

func checkBroken(t *testing.T, name, what string, obj Object, code, expr string) {
	t.Helper()
	err := Validate(obj)
	if err == nil {
		t.Errorf("%s with %s at %s: Validate accepted it", name, what, expr)
		return
	}
	if !hasIssue(dsn.IssuesOf(err), code, expr) {
		t.Errorf("%s with %s: want issue %s at %s, got %+v", name, what, code, expr, dsn.IssuesOf(err))
	}
}

// skipInShort keeps one example in shortFactor() under -short.
func skipInShort(seen *int) bool {
	*seen++
	return *seen%shortFactor() != 0
}

func shortFactor() int {
	if testing.Short() {
		return 10
	}
	return 1
}
