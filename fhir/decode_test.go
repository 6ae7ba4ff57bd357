package fhir

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"dsn"
)

func TestDecodeRejects(t *testing.T) {
	bad := map[string]string{
		"duplicate key":        `{"resourceType":"Patient","id":"a","id":"b"}`,
		"nested duplicate":     `{"resourceType":"Patient","name":[{"family":"a","family":"b"}]}`,
		"trailing data":        `{"resourceType":"Patient"} {}`,
		"trailing comma":       `{"resourceType":"Patient",}`,
		"not an object":        `[{"resourceType":"Patient"}]`,
		"no resourceType":      `{"id":"a"}`,
		"empty resourceType":   `{"resourceType":""}`,
		"invalid UTF-8":        "{\"resourceType\":\"Patient\",\"id\":\"\xff\"}",
		"control character":    "{\"resourceType\":\"Patient\",\"id\":\"a\nb\"}",
		"bad escape":           `{"resourceType":"Patient","id":"\x"}`,
		"leading zero":         `{"resourceType":"Patient","multipleBirthInteger":01}`,
		"bare dot":             `{"resourceType":"Patient","x":1.}`,
		"unterminated":         `{"resourceType":"Patient"`,
		"single quotes":        `{'resourceType':'Patient'}`,
		"NaN":                  `{"resourceType":"Patient","x":NaN}`,
		"empty body":           ``,
		"too deep":             `{"resourceType":"Patient","x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`,
		"unterminated literal": `{"resourceType":"Patient","active":tru}`,
	}
	for name, body := range bad {
		_, err := Decode([]byte(body))
		if dsn.KindOf(err) != dsn.KindInvalid || len(dsn.IssuesOf(err)) != 1 {
			t.Errorf("%s: Decode = %v, want KindInvalid with one issue", name, err)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	body := "\ufeff" + `{"resourceType":"Observation","valueQuantity":{"value":1.50,"big":12345678901234567890.000},
	  "s":"é\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t","a":[],"o":{},"t":true,"f":false,"n":null,"e":-1.5E-3}`
	obj, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	q := obj["valueQuantity"].(map[string]any)
	if q["value"] != json.Number("1.50") || q["big"] != json.Number("12345678901234567890.000") {
		t.Errorf("numbers lost precision: %v", q)
	}
	if s := obj["s"]; s != "éé😀\"\\/\b\f\n\r\t" {
		t.Errorf("string %q", s)
	}
	if obj["e"] != json.Number("-1.5E-3") || obj["t"] != true || obj["f"] != false || obj["n"] != nil {
		t.Errorf("literals: %v", obj)
	}
	if a, ok := obj["a"].([]any); !ok || len(a) != 0 {
		t.Errorf("empty array: %#v", obj["a"])
	}
	if got := string(Encode(obj["valueQuantity"])); got != `{"big":12345678901234567890.000,"value":1.50}` {
		t.Errorf("Encode = %s", got)
	}
}

// TestDecodeMatchesEncodingJSON decodes every official example with both the
// strict parser and encoding/json (UseNumber) and requires the same value. The
// huge definition Bundles are left to TestExamplesValidate: encoding/json is slow on them.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	seen := 0
	forEachExample(t, maxMutated, func(ex example) {
		if skipInShort(&seen) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(ex.body))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("%s: %v", ex.name, err)
		}
		if !reflect.DeepEqual(map[string]any(ex.obj), want) {
			t.Errorf("%s: strict parser and encoding/json disagree", ex.name)
		}
	})
}

// FuzzDecode checks that Decode and Validate never panic, and that whatever
// Decode accepts is also valid for encoding/json.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(patientOK))
	f.Add([]byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","_gender":{"id":"x"}}}]}`))
	f.Add([]byte(`{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1"}]},"valueQuantity":{"value":1e3}}`))
	f.Add([]byte(`{"resourceType":"Patient","name":[{"given":[null,"a"],"_given":[{"id":"1"},null]}]}`))
	f.Add([]byte(`{"resourceType":"Questionnaire","item":[{"linkId":"1","type":"group","item":[{"linkId":"2","type":"string"}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := Decode(body)
		if err != nil {
			return
		}
		if !json.Valid(bytes.TrimPrefix(body, []byte("\ufeff"))) {
			t.Errorf("Decode accepted invalid JSON %q", body)
		}
		err = Validate(obj)
		if err != nil && (dsn.KindOf(err) != dsn.KindInvalid || len(dsn.IssuesOf(err)) == 0) {
			t.Errorf("Validate error without issues: %v", err)
		}
	})
}
