package provincial

import (
	"bytes"
	"encoding/json"
	"maps"

	"dsn/fhir"
)

// sameContent compares two resources as JSON, meta.versionId and
// meta.lastUpdated aside. It walks both trees first (sameTree): the linker's
// usual case is a golden record recomputed equal to the stored one, and the
// walk allocates nothing where encoding both costs ~30 cpu-µs and 42
// allocations (BenchmarkSameContent, docs/benchmarks.md session 6). Only when
// the walk cannot tell — a difference, or a value the decoder does not make
// — are both encoded: fhir.Encode is deterministic (fixed lead keys, the
// others sorted, numbers as written), so equal encodings mean equal content.
func sameContent(a, b fhir.Object) bool {
	return sameTree(a, b) || bytes.Equal(contentBytes(a), contentBytes(b))
}

// sameTree reports whether a and b hold the same elements, meta.versionId
// and meta.lastUpdated aside, an emptied meta counting as none (as in
// contentBytes). True implies equal encodings; false may be a false negative.
func sameTree(a, b fhir.Object) bool {
	ma, okA := metaOf(a)
	mb, okB := metaOf(b)
	if !okA || !okB {
		return false // a meta that is not an object (null too): let the encodings decide
	}
	return sameMap(a, b, "meta", "") && sameMap(ma, mb, "versionId", "lastUpdated")
}

// metaOf is o's meta object (nil if absent); false when meta is there but
// not an object.
func metaOf(o fhir.Object) (map[string]any, bool) {
	v, has := o["meta"]
	if !has {
		return nil, true
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// sameMap compares a and b without the keys skip1 and skip2 ("" skips none).
func sameMap(a, b map[string]any, skip1, skip2 string) bool {
	n := 0
	for k, va := range a {
		if k == skip1 || k == skip2 {
			continue
		}
		vb, ok := b[k]
		if !ok || !sameValue(va, vb) {
			return false
		}
		n++
	}
	for k := range b {
		if k != skip1 && k != skip2 {
			n--
		}
	}
	return n == 0
}

// sameValue compares the values fhir.Decode makes (objects, arrays, strings,
// json.Number as written, booleans, null); any other type is "not the same".
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	case nil:
		return b == nil
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && sameMap(x, y, "", "")
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// contentBytes encodes o without meta.versionId and meta.lastUpdated, copying
// only the two maps it changes.
func contentBytes(o fhir.Object) []byte {
	m, ok := o["meta"].(map[string]any)
	if !ok {
		return fhir.Encode(o)
	}
	c := maps.Clone(o)
	mm := maps.Clone(m)
	delete(mm, "versionId")
	delete(mm, "lastUpdated")
	if len(mm) == 0 {
		delete(c, "meta")
	} else {
		c["meta"] = mm
	}
	return fhir.Encode(c)
}
