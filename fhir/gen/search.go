package main

import (
	"fmt"
	"strings"
)

// buildSearch indexes the core SearchParameters by base resource type. A
// parameter shared by several bases ("clinical-patient") has one expression
// joined with "|"; each base keeps only its own union terms.
func buildSearch(r *resources, o *Output) {
	o.SearchParams = map[string][]SearchOut{}
	for _, sp := range r.byType["SearchParameter"] {
		url := str(sp, "url")
		if strings.HasPrefix(str(sp, "id"), "example") || !strings.HasPrefix(url, "http://hl7.org/fhir/SearchParameter/") {
			continue // examples in the package, not part of the core definitions
		}
		terms := splitUnion(str(sp, "expression"))
		var comps []Component
		for _, c := range list(sp, "component") {
			def := r.byURL[canonical(str(c, "definition"))]
			comps = append(comps, Component{Param: str(def, "code"), Expression: str(c, "expression")})
		}
		for _, base := range strs(sp, "base") {
			o.SearchParams[base] = append(o.SearchParams[base], SearchOut{
				Code: str(sp, "code"), Type: str(sp, "type"), URL: url,
				Expression: termsFor(terms, base), Targets: strs(sp, "target"), Components: comps,
			})
		}
	}
}

// termsFor keeps the union terms that start with base; if none do, all terms.
func termsFor(terms []string, base string) string {
	var keep []string
	for _, t := range terms {
		if headIdent(t) == base {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		keep = terms
	}
	return strings.Join(keep, " | ")
}

// splitUnion splits a FHIRPath expression on its top-level "|" operators.
func splitUnion(expr string) []string {
	var out []string
	depth, start := 0, 0
	inStr := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '\'':
			inStr = !inStr
		case inStr:
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == '|' && depth == 0:
			out = append(out, strings.TrimSpace(expr[start:i]))
			start = i + 1
		}
	}
	if t := strings.TrimSpace(expr[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

func headIdent(term string) string {
	term = strings.TrimLeft(term, "( ")
	end := 0
	for end < len(term) && (term[end] == '_' || term[end] >= 'a' && term[end] <= 'z' ||
		term[end] >= 'A' && term[end] <= 'Z' || term[end] >= '0' && term[end] <= '9') {
		end++
	}
	return term[:end]
}

// buildCompartment reads CompartmentDefinition-patient: for each resource type,
// the search parameters that link it to the patient (compartmentdefinition-patient.html).
func buildCompartment(r *resources, o *Output) error {
	o.Compartment = map[string][]string{}
	for _, cd := range r.byType["CompartmentDefinition"] {
		if str(cd, "url") != "http://hl7.org/fhir/CompartmentDefinition/patient" {
			continue
		}
		for _, res := range list(cd, "resource") {
			if params := strs(res, "param"); len(params) > 0 {
				o.Compartment[str(res, "code")] = params
			}
		}
		return nil
	}
	return fmt.Errorf("gen: CompartmentDefinition patient not found")
}
