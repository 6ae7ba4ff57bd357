package fhirpath

import (
	"strings"

	"dsn"
)

// LocalValueSets answers memberOf() (Options.MemberOf) from ValueSet resources
// held in memory, without a terminology server. A value set is decided by its
// expansion (expansion.contains, nested, abstract entries excluded) or, without
// one, by compose.include/exclude concept lists (FHIR R4 valueset.html#compose).
// An include of a whole system, with filters or of other value sets cannot be
// decided locally: the answer is then a KindUnavailable error, never a guess.
// An empty system (a bare code) matches any system.
func LocalValueSets(sets ...map[string]any) func(system, code, url string) (bool, error) {
	byURL := map[string]map[string]any{}
	for _, vs := range sets {
		if u, ok := vs["url"].(string); ok {
			byURL[u] = vs
			if v, ok := vs["version"].(string); ok {
				byURL[u+"|"+v] = vs
			}
		}
	}
	return func(system, code, url string) (bool, error) {
		vs, ok := byURL[url]
		if !ok {
			return false, dsn.Errorf("fhirpath.memberOf", dsn.KindUnavailable, "ValueSet %s inconnu localement", url)
		}
		if exp, ok := vs["expansion"].(map[string]any); ok {
			return inContains(exp["contains"], system, code), nil
		}
		compose, _ := vs["compose"].(map[string]any)
		in, err := inConceptLists(compose["include"], system, code, url)
		if err != nil || !in {
			return false, err
		}
		out, err := inConceptLists(compose["exclude"], system, code, url)
		return !out, err
	}
}

func inContains(v any, system, code string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		c, _ := x.(map[string]any)
		if c == nil {
			continue
		}
		if abstract, _ := c["abstract"].(bool); !abstract && c["code"] == code && (system == "" || c["system"] == system) {
			return true
		}
		if inContains(c["contains"], system, code) {
			return true
		}
	}
	return false
}

func inConceptLists(v any, system, code, url string) (bool, error) {
	list, _ := v.([]any)
	for _, x := range list {
		inc, _ := x.(map[string]any)
		if inc == nil {
			continue
		}
		sys, _ := inc["system"].(string)
		concepts, hasConcepts := inc["concept"].([]any)
		if !hasConcepts || inc["filter"] != nil || inc["valueSet"] != nil {
			if system != "" && sys != "" && sys != system {
				continue // this include is about another system: it cannot match
			}
			return false, dsn.Errorf("fhirpath.memberOf", dsn.KindUnavailable,
				"ValueSet %s: inclusion par système, filtre ou autre ValueSet (%s), non décidable sans serveur de terminologie", url, strings.TrimSpace(sys))
		}
		if system != "" && sys != system {
			continue
		}
		for _, c := range concepts {
			if m, _ := c.(map[string]any); m != nil && m["code"] == code {
				return true, nil
			}
		}
	}
	return false, nil
}
