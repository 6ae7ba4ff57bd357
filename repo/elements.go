package repo

import (
	"net/url"
	"strings"

	"dsn"
	"dsn/fhir"
)

// subsetted is the tag a server puts on resources it returns incomplete
// (search.html#elements, valueset-common-tags: SUBSETTED).
var subsetted = map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}

// shaper trims returned resources for _elements and _summary=data
// (search.html#elements, #summary); nil when the whole resource is wanted.
type shaper func(body []byte) []byte

// shaperOf reads _elements and _summary from params. _summary=count is handled
// by Search; true and text need the summary flags of the definitions and are
// not supported (reported).
func shaperOf(params url.Values) (shaper, []dsn.Issue) {
	var issues []dsn.Issue
	switch v := params.Get("_summary"); v {
	case "", "false", "count":
	case "data":
		return func(b []byte) []byte { return reshape(b, func(k string) bool { return k != "text" }) }, nil
	default:
		issues = append(issues, warning("_summary="+v+" n'est pas pris en charge (ressources complètes)"))
	}
	if els := params.Get("_elements"); els != "" {
		keep := map[string]bool{"resourceType": true, "id": true, "meta": true}
		for _, e := range strings.Split(els, ",") {
			keep[strings.TrimSpace(e)] = true
		}
		return func(b []byte) []byte { return reshape(b, func(k string) bool { return keep[k] }) }, issues
	}
	return nil, issues
}

// reshape keeps the top-level elements keep accepts and tags the result SUBSETTED.
func reshape(body []byte, keep func(string) bool) []byte {
	obj, err := fhir.Decode(body)
	if err != nil {
		return body
	}
	for k := range obj {
		if !keep(k) {
			delete(obj, k)
		}
	}
	meta, _ := obj["meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["meta"] = meta
	}
	tags, _ := meta["tag"].([]any)
	meta["tag"] = append(tags, subsetted)
	return fhir.Encode(obj)
}
