package fhirpath

import "strings"

// BundleResolver answers resolve() from the entries of a Bundle: a reference
// matches an entry's fullUrl, or its "Type/id" (relative or at the end of an
// absolute URL, versioned or not; FHIR R4 bundle.html#references).
func BundleResolver(bundle map[string]any) func(ref string) (map[string]any, error) {
	byURL := map[string]map[string]any{}
	byTypeID := map[string]map[string]any{}
	entries, _ := bundle["entry"].([]any)
	for _, e := range entries {
		entry, _ := e.(map[string]any)
		res, _ := entry["resource"].(map[string]any)
		if res == nil {
			continue
		}
		if u, ok := entry["fullUrl"].(string); ok {
			byURL[u] = res
		}
		rt, _ := res["resourceType"].(string)
		id, _ := res["id"].(string)
		if rt != "" && id != "" {
			byTypeID[rt+"/"+id] = res
		}
	}
	return func(ref string) (map[string]any, error) {
		if r, ok := byURL[ref]; ok {
			return r, nil
		}
		if i := strings.Index(ref, "/_history/"); i >= 0 {
			ref = ref[:i]
		}
		parts := strings.Split(ref, "/")
		if len(parts) >= 2 {
			if r, ok := byTypeID[parts[len(parts)-2]+"/"+parts[len(parts)-1]]; ok {
				return r, nil
			}
		}
		return nil, nil
	}
}
