package search

import (
	"testing"

	"dsn"
	"dsn/fhir"
)

func TestExpandValueSet(t *testing.T) {
	obj := func(s string) fhir.Object {
		o, err := fhir.Decode([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	store := map[string]fhir.Object{
		"ValueSet urn:vs:codes": obj(`{"resourceType":"ValueSet","url":"urn:vs:codes","compose":{"include":[
			{"system":"urn:a","concept":[{"code":"1"},{"code":"2"}]}],"exclude":[{"system":"urn:a","concept":[{"code":"2"}]}]}}`),
		"ValueSet urn:vs:whole": obj(`{"resourceType":"ValueSet","url":"urn:vs:whole","compose":{"include":[{"system":"urn:b"}],
			"exclude":[{"system":"urn:b","concept":[{"code":"x"}]}]}}`),
		"ValueSet urn:vs:cs":     obj(`{"resourceType":"ValueSet","url":"urn:vs:cs","compose":{"include":[{"system":"urn:cs"}]}}`),
		"CodeSystem urn:cs":      obj(`{"resourceType":"CodeSystem","url":"urn:cs","content":"complete","concept":[{"code":"p","concept":[{"code":"q"}]}]}`),
		"ValueSet urn:vs:nested": obj(`{"resourceType":"ValueSet","url":"urn:vs:nested","compose":{"include":[{"valueSet":["urn:vs:codes"]}]}}`),
		"ValueSet urn:vs:expanded": obj(`{"resourceType":"ValueSet","url":"urn:vs:expanded","expansion":{"contains":[
			{"system":"urn:e","code":"top","abstract":true,"contains":[{"system":"urn:e","code":"leaf"}]}]}}`),
		"ValueSet urn:vs:filter": obj(`{"resourceType":"ValueSet","url":"urn:vs:filter","compose":{"include":[{"system":"urn:a","filter":[{"property":"concept","op":"is-a","value":"1"}]}]}}`),
		"ValueSet urn:vs:loop":   obj(`{"resourceType":"ValueSet","url":"urn:vs:loop","compose":{"include":[{"valueSet":["urn:vs:loop"]}]}}`),
	}
	lookup := func(typ, url string) (fhir.Object, bool) { o, ok := store[typ+" "+url]; return o, ok }
	cases := []struct {
		url          string
		system, code string
		in           bool
	}{
		{"urn:vs:codes", "urn:a", "1", true},
		{"urn:vs:codes", "urn:a", "2", false}, // excluded
		{"urn:vs:codes", "", "1", true},       // a code without system matches any system
		{"urn:vs:codes", "urn:other", "1", false},
		{"urn:vs:whole", "urn:b", "anything", true},
		{"urn:vs:whole", "urn:b", "x", false},
		{"urn:vs:whole", "urn:b", "", false},
		{"urn:vs:cs", "urn:cs", "q", true}, // nested concept of a complete CodeSystem
		{"urn:vs:cs", "urn:cs", "zz", false},
		{"urn:vs:nested", "urn:a", "1", true},
		{"urn:vs:expanded", "urn:e", "leaf", true},
		{"urn:vs:expanded", "urn:e", "top", false}, // abstract
	}
	for _, c := range cases {
		e, err := ExpandValueSet(c.url, lookup)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if got := e.Contains(c.system, c.code); got != c.in {
			t.Errorf("%s contains %s|%s = %v, want %v", c.url, c.system, c.code, got, c.in)
		}
	}
	for _, url := range []string{"urn:vs:unknown", "urn:vs:filter", "urn:vs:loop"} {
		if _, err := ExpandValueSet(url, lookup); dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("%s: error %v, want KindInvalid", url, err)
		}
	}
}
