package fhir

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Encode then Decode gives back the same value for every official example,
// and resourceType comes first in every resource, contained or in a Bundle.
func TestEncodeRoundTripsExamples(t *testing.T) {
	seen := 0
	forEachExample(t, maxMutated, func(ex example) {
		if skipInShort(&seen) {
			return
		}
		out := Encode(ex.obj)
		back, err := Decode(out)
		if err != nil {
			t.Fatalf("%s: re-decoding: %v", ex.name, err)
		}
		if !reflect.DeepEqual(back, ex.obj) {
			t.Errorf("%s: Encode/Decode changed the resource", ex.name)
		}
		if !bytes.HasPrefix(out, []byte(`{"resourceType":`)) {
			t.Errorf("%s: resourceType is not first: %.40s", ex.name, out)
		}
		if n := bytes.Count(out, []byte(`"resourceType":`)); n != bytes.Count(out, []byte(`{"resourceType":`)) {
			t.Errorf("%s: a nested resource does not start with resourceType", ex.name)
		}
	})
}

// Strings are escaped exactly as encoding/json does with HTML escaping off.
func TestEncodeStringsLikeEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "Hélène Côté", `a"b\c`, "line\nfeed\ttab\rret\b\f", "\x00\x01\x1f\x7f",
		"<script>&</script>", "bad \xff utf8", "\u2028\u2029", "日本語 🙂", "œuvre Ærø"} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(buf.String(), "\n")
		if got := string(Encode(s)); got != want {
			t.Errorf("Encode(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestEncodeOrderAndShapes(t *testing.T) {
	obj := map[string]any{"meta": map[string]any{"versionId": "2"}, "active": true, "id": "p1",
		"resourceType": "Patient", "birthDate": nil, "multipleBirthInteger": json.Number("2"),
		"raw": json.RawMessage(`{"x":1}`), "n": 3}
	want := `{"resourceType":"Patient","id":"p1","meta":{"versionId":"2"},"active":true,"birthDate":null,` +
		`"multipleBirthInteger":2,"n":3,"raw":{"x":1}}`
	if got := string(Encode(obj)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func BenchmarkEncodePatient(b *testing.B) {
	obj, err := Decode([]byte(patientOK))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Encode(obj)
	}
}
