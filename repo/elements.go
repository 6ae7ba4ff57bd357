package repo

import (
	"strings"

	"dsn"
	"dsn/fhir"
)

// subsetted is the tag a server puts on resources it returns incomplete
// (search.html#elements, valueset-common-tags: SUBSETTED).
var subsetted = map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}

// shaper trims a returned resource of type typ for _summary and _elements
// (search.html#summary, #elements); nil when the whole resource is wanted.
type shaper func(typ string, body []byte) []byte

// always are the members every shaped resource keeps.
func always(k string) bool { return k == "resourceType" || k == "id" || k == "meta" }

// shaperOf reads q.Summary and q.Elements. _summary=count is answered by
// the search itself (no resources); true keeps the summary elements of the R4
// definitions (isSummary); text keeps text and the mandatory elements; data
// drops text. _elements keeps the named top-level elements ("name" or
// "Patient.name") and the mandatory ones.
func shaperOf(q dsn.SearchQuery) shaper {
	var keep func(typ, k string) bool
	switch q.Summary {
	case "true":
		keep = func(typ, k string) bool { return always(k) || fhir.IsSummary(typ, k) }
	case "text":
		keep = func(typ, k string) bool { return always(k) || k == "text" || fhir.IsMandatory(typ, k) }
	case "data":
		keep = func(_, k string) bool { return k != "text" }
	}
	if len(q.Elements) > 0 && keep == nil {
		names := map[string]bool{}
		for _, e := range q.Elements {
			names[e] = true
		}
		keep = func(typ, k string) bool {
			base := strings.TrimPrefix(k, "_")
			return always(k) || names[base] || names[typ+"."+base] || fhir.IsMandatory(typ, k)
		}
	}
	if keep == nil {
		return nil
	}
	return func(typ string, b []byte) []byte { return reshape(b, func(k string) bool { return keep(typ, k) }) }
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
