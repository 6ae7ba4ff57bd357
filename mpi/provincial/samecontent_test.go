package provincial

import (
	"bytes"
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

// The walk (sameTree) never says "same" where the encodings differ, says it
// for equal trees (the linker's common case, no encoding then), and
// sameContent always agrees with the encodings.
func TestSameTreeAgreesWithEncoding(t *testing.T) {
	var all []fhir.Object
	for _, js := range []string{
		`{"resourceType":"Patient","meta":{"versionId":"1","lastUpdated":"2026-01-01T00:00:00Z"},"name":[{"family":"Côté"}],"multipleBirthInteger":2}`,
		`{"resourceType":"Patient","name":[{"family":"Côté"}],"multipleBirthInteger":2}`,
		`{"resourceType":"Patient","meta":{},"name":[{"family":"Côté"}],"multipleBirthInteger":2}`,
		`{"resourceType":"Patient","meta":null,"name":[{"family":"Côté"}],"multipleBirthInteger":2}`,
		`{"resourceType":"Patient","meta":{"tag":[{"code":"golden"}]},"name":[{"family":"Côté"}],"multipleBirthInteger":2}`,
		`{"resourceType":"Patient","name":[{"family":"Côté"}],"multipleBirthInteger":2.0}`,
		`{"resourceType":"Patient","name":[{"family":"Côté"},{"family":"Roy"}],"multipleBirthInteger":2}`,
		`{"resourceType":"Patient","name":[{"family":"Côté","given":null}],"multipleBirthInteger":2}`,
		`{"resourceType":"Patient","name":[{"family":"Côté"}],"multipleBirthBoolean":true}`,
		`{"resourceType":"Patient","name":[{"family":"Côté"}],"multipleBirthInteger":"2"}`,
	} {
		o, err := fhir.Decode([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, o)
	}
	for i, a := range all {
		for j, b := range all {
			enc := bytes.Equal(contentBytes(a), contentBytes(b))
			if sameTree(a, b) && !enc {
				t.Errorf("%d, %d: sameTree true, encodings differ", i, j)
			}
			if got := sameContent(a, b); got != enc {
				t.Errorf("%d, %d: sameContent %v, encodings equal %v", i, j, got, enc)
			}
		}
	}
	if !sameTree(all[0], all[1]) || !sameTree(all[1], all[2]) {
		t.Error("equal content but for versionId/lastUpdated or an empty meta: sameTree false")
	}
	if sameTree(all[1], all[3]) {
		t.Error("meta null against no meta: sameTree true")
	}
}
