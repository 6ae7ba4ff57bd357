package provincial

import (
	"testing"

	"dsn/fhir"
)

// sameContent ignores meta.versionId and meta.lastUpdated only, and leaves
// both resources as they were.
func TestSameContent(t *testing.T) {
	obj := func(js string) fhir.Object {
		v, err := fhir.Decode([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a := obj(`{"resourceType":"Patient","meta":{"versionId":"1","lastUpdated":"2026-01-01T00:00:00Z"},"name":[{"family":"Côté"}],"multipleBirthInteger":2}`)
	b := obj(`{"resourceType":"Patient","name":[{"family":"Côté"}],"multipleBirthInteger":2,"meta":{"versionId":"7"}}`)
	if !sameContent(a, b) {
		t.Fatal("same Patient with other versionId/lastUpdated: sameContent false")
	}
	if a["meta"].(map[string]any)["versionId"] != "1" {
		t.Fatal("sameContent changed its argument's meta")
	}
	tagged := obj(`{"resourceType":"Patient","meta":{"tag":[{"code":"golden"}]},"name":[{"family":"Côté"}],"multipleBirthInteger":2}`)
	other := obj(`{"resourceType":"Patient","name":[{"family":"Coté"}],"multipleBirthInteger":2}`)
	twin := obj(`{"resourceType":"Patient","name":[{"family":"Côté"}],"multipleBirthInteger":3}`)
	for _, c := range []fhir.Object{tagged, other, twin} {
		if sameContent(a, c) {
			t.Fatalf("sameContent true for %s", fhir.Encode(c))
		}
	}
}
