package main

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	extFHIRType = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
	extRegex    = "http://hl7.org/fhir/StructureDefinition/regex"
)

// wantedSD keeps the base definitions of resources and data types: not logical
// models, not profiles (derivation constraint), not extension definitions.
func wantedSD(sd map[string]any) bool {
	switch str(sd, "kind") {
	case "resource", "complex-type", "primitive-type":
	default:
		return false
	}
	if d := str(sd, "derivation"); d != "" && d != "specialization" {
		return false
	}
	return str(sd, "url") == "http://hl7.org/fhir/StructureDefinition/"+str(sd, "type")
}

func buildTypes(r *resources, o *Output) error {
	for _, sd := range r.byType["StructureDefinition"] {
		if !wantedSD(sd) {
			continue
		}
		ts, err := typesOf(sd, o)
		if err != nil {
			return fmt.Errorf("gen: %s: %w", str(sd, "id"), err)
		}
		o.Types = append(o.Types, ts...)
	}
	return nil
}

// typesOf turns one StructureDefinition snapshot into its type and the types of
// its backbone elements (named by path, e.g. "Patient.contact").
func typesOf(sd map[string]any, o *Output) ([]*TypeOut, error) {
	name, kind := str(sd, "type"), str(sd, "kind")
	root := &TypeOut{Name: name, Kind: kind, Abstract: sd["abstract"] == true}
	if b := str(sd, "baseDefinition"); b != "" {
		root.Base = lastSegment(b)
	}
	byPath := map[string]*TypeOut{name: root}
	out := []*TypeOut{root}
	elems := list(obj(sd, "snapshot"), "element")
	for i, e := range elems {
		path := str(e, "path")
		addInvariants(o, strings.TrimSuffix(path, "[x]"), e)
		dot := strings.LastIndexByte(path, '.')
		if dot < 0 {
			continue
		}
		parent := byPath[path[:dot]]
		if parent == nil {
			return nil, fmt.Errorf("element %s has no parent", path)
		}
		if kind == "primitive-type" && path == name+".value" {
			o.Regex[name] = regexOf(e)
			continue
		}
		el, err := elemOf(e, path[dot+1:])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if kind == "resource" && path == name+".id" {
			el.Types = []string{"id"} // Resource.id is an id (resource.html#id)
		}
		if hasChildren(elems, i, path) && str(e, "contentReference") == "" {
			bb := &TypeOut{Name: path, Kind: "backbone", Base: el.Types[0]}
			byPath[path] = bb
			out = append(out, bb)
			el.Types = []string{path}
		}
		parent.Elements = append(parent.Elements, el)
	}
	return out, nil
}

func hasChildren(elems []map[string]any, i int, path string) bool {
	return i+1 < len(elems) && strings.HasPrefix(str(elems[i+1], "path"), path+".")
}

func elemOf(e map[string]any, last string) (*ElemOut, error) {
	el := &ElemOut{Name: strings.TrimSuffix(last, "[x]"), Choice: strings.HasSuffix(last, "[x]")}
	if m, ok := e["min"].(float64); ok {
		el.Min = int(m)
	}
	el.Summary, _ = e["isSummary"].(bool)
	switch mx := str(e, "max"); mx {
	case "*":
		el.Max = -1
	default:
		n, err := strconv.Atoi(mx)
		if err != nil {
			return nil, fmt.Errorf("max %q", mx)
		}
		el.Max = n
	}
	if cr := str(e, "contentReference"); cr != "" {
		el.Types = []string{cr[strings.IndexByte(cr, '#')+1:]}
		return el, nil
	}
	for _, t := range list(e, "type") {
		code := str(t, "code")
		if strings.HasPrefix(code, "http://hl7.org/fhirpath/System.") {
			el.System = true
			code = "string"
			for _, x := range list(t, "extension") {
				if str(x, "url") == extFHIRType {
					code = str(x, "valueUrl")
				}
			}
		}
		el.Types = append(el.Types, code)
		if code == "Reference" {
			for _, p := range strs(t, "targetProfile") {
				el.Targets = appendUnique(el.Targets, lastSegment(p))
			}
		}
	}
	if len(el.Types) == 0 {
		return nil, fmt.Errorf("no type")
	}
	if b := obj(e, "binding"); b != nil && str(b, "strength") == "required" {
		el.VS = canonical(str(b, "valueSet"))
	}
	return el, nil
}

func regexOf(e map[string]any) string {
	for _, t := range list(e, "type") {
		for _, x := range list(t, "extension") {
			if str(x, "url") == extRegex {
				return str(x, "valueString")
			}
		}
	}
	return ""
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// addInvariants keeps the FHIRPath constraints of an element, by path. ele-1
// ("a value or children") is left out: the validator checks it structurally;
// ext-1 is kept once, on Extension, rather than on every extension element.
func addInvariants(o *Output, path string, e map[string]any) {
	for _, c := range list(e, "constraint") {
		key := str(c, "key")
		if key == "ele-1" || key == "ext-1" && path != "Extension" || str(c, "expression") == "" {
			continue
		}
		o.Invariants[path] = append(o.Invariants[path], InvariantOut{Key: str(c, "key"),
			Severity: str(c, "severity"), Human: str(c, "human"), Expression: str(c, "expression")})
	}
}
