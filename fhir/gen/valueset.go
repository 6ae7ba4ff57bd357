package main

import (
	"fmt"
	"os"
	"sort"
)

// buildValueSets expands the value sets of required bindings. A binding whose
// value set the package cannot expand (external code systems such as UCUM,
// BCP-47 or MIME types, unsupported filters) is dropped from the element: the
// validator then checks only the code's syntax.
func buildValueSets(r *resources, o *Output) {
	cache := map[string]ValueSetOut{}
	var dropped []string
	for _, t := range o.Types {
		for _, el := range t.Elements {
			if el.VS == "" {
				continue
			}
			vs, seen := cache[el.VS]
			if !seen {
				vs, _ = expand(r, el.VS, map[string]bool{})
				cache[el.VS] = vs
			}
			if vs == nil {
				dropped = appendUnique(dropped, el.VS)
				el.VS = ""
				continue
			}
			o.ValueSets[el.VS] = vs
		}
	}
	sort.Strings(dropped)
	fmt.Fprintf(os.Stderr, "gen: %d required value sets not expandable from the package\n", len(dropped))
	for _, d := range dropped {
		fmt.Fprintln(os.Stderr, "  ", d)
	}
}

// expand computes the codes of a ValueSet from its compose (valueset.html#compose);
// it returns nil, false when some part needs something the package lacks.
func expand(r *resources, url string, visiting map[string]bool) (ValueSetOut, bool) {
	vs := r.byURL[url]
	if vs == nil || str(vs, "resourceType") != "ValueSet" || visiting[url] {
		return nil, false
	}
	visiting[url] = true
	defer delete(visiting, url)
	compose := obj(vs, "compose")
	if compose == nil {
		return nil, false
	}
	out := ValueSetOut{}
	for _, inc := range list(compose, "include") {
		part, ok := expandInclude(r, inc, visiting)
		if !ok {
			return nil, false
		}
		for sys, codes := range part {
			out[sys] = mergeCodes(out[sys], codes)
		}
	}
	for _, exc := range list(compose, "exclude") {
		part, ok := expandInclude(r, exc, visiting)
		if !ok {
			return nil, false
		}
		for sys, codes := range part {
			out[sys] = removeCodes(out[sys], codes)
		}
	}
	if len(out) == 0 {
		return nil, false
	}
	return out, true
}

func expandInclude(r *resources, inc map[string]any, visiting map[string]bool) (ValueSetOut, bool) {
	system := str(inc, "system")
	refs := strs(inc, "valueSet")
	if system == "" {
		if len(refs) == 0 {
			return nil, false
		}
		out := ValueSetOut{}
		for _, ref := range refs {
			part, ok := expand(r, canonical(ref), visiting)
			if !ok {
				return nil, false
			}
			for sys, codes := range part {
				out[sys] = mergeCodes(out[sys], codes)
			}
		}
		return out, true
	}
	if len(refs) > 0 {
		return nil, false // intersection of a system with value sets: not needed in R4 core
	}
	if cs := list(inc, "concept"); len(cs) > 0 {
		var codes []string
		for _, c := range cs {
			codes = append(codes, str(c, "code"))
		}
		return ValueSetOut{system: mergeCodes(nil, codes)}, true
	}
	cs := r.byURL[system]
	if cs == nil || str(cs, "resourceType") != "CodeSystem" || str(cs, "content") != "complete" {
		return nil, false
	}
	filters := list(inc, "filter")
	if len(filters) == 0 {
		return ValueSetOut{system: mergeCodes(nil, allCodes(list(cs, "concept"), nil))}, true
	}
	var codes []string
	for i, f := range filters {
		got, ok := filterCodes(cs, f)
		if !ok {
			return nil, false
		}
		if i == 0 {
			codes = got
		} else {
			codes = intersect(codes, got)
		}
	}
	return ValueSetOut{system: mergeCodes(nil, codes)}, true
}

// filterCodes supports the hierarchy filters on property "concept".
func filterCodes(cs map[string]any, f map[string]any) ([]string, bool) {
	if str(f, "property") != "concept" {
		return nil, false
	}
	op, value := str(f, "op"), str(f, "value")
	if op != "is-a" && op != "descendent-of" {
		return nil, false
	}
	root := findConcept(list(cs, "concept"), value)
	if root == nil {
		return nil, false
	}
	codes := allCodes(list(root, "concept"), nil)
	if op == "is-a" {
		codes = append(codes, value)
	}
	return codes, true
}

func findConcept(cs []map[string]any, code string) map[string]any {
	for _, c := range cs {
		if str(c, "code") == code {
			return c
		}
		if f := findConcept(list(c, "concept"), code); f != nil {
			return f
		}
	}
	return nil
}

func allCodes(cs []map[string]any, acc []string) []string {
	for _, c := range cs {
		acc = append(acc, str(c, "code"))
		acc = allCodes(list(c, "concept"), acc)
	}
	return acc
}

func mergeCodes(a, b []string) []string {
	set := map[string]bool{}
	for _, c := range a {
		set[c] = true
	}
	for _, c := range b {
		set[c] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func removeCodes(a, b []string) []string {
	drop := map[string]bool{}
	for _, c := range b {
		drop[c] = true
	}
	var out []string
	for _, c := range a {
		if !drop[c] {
			out = append(out, c)
		}
	}
	return out
}

func intersect(a, b []string) []string {
	keep := map[string]bool{}
	for _, c := range b {
		keep[c] = true
	}
	var out []string
	for _, c := range a {
		if keep[c] {
			out = append(out, c)
		}
	}
	return out
}
