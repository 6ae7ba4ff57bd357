package repo

import (
	"encoding/json"
	"testing"
)

// Cases from RFC 6902 Appendix A (adapted to objects at the root).
func TestJSONPatchRFC6902(t *testing.T) {
	cases := []struct{ doc, patch, want string }{
		{`{"foo":"bar"}`, `[{"op":"add","path":"/baz","value":"qux"}]`, `{"baz":"qux","foo":"bar"}`},
		{`{"foo":["bar","baz"]}`, `[{"op":"add","path":"/foo/1","value":"qux"}]`, `{"foo":["bar","qux","baz"]}`},
		{`{"baz":"qux","foo":"bar"}`, `[{"op":"remove","path":"/baz"}]`, `{"foo":"bar"}`},
		{`{"foo":["bar","qux","baz"]}`, `[{"op":"remove","path":"/foo/1"}]`, `{"foo":["bar","baz"]}`},
		{`{"baz":"qux","foo":"bar"}`, `[{"op":"replace","path":"/baz","value":"boo"}]`, `{"baz":"boo","foo":"bar"}`},
		{`{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}`, `[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]`, `{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}`},
		{`{"foo":["all","grass","cows","eat"]}`, `[{"op":"move","from":"/foo/1","path":"/foo/3"}]`, `{"foo":["all","cows","eat","grass"]}`},
		{`{"foo":["bar"]}`, `[{"op":"add","path":"/foo/-","value":["abc","def"]}]`, `{"foo":["bar",["abc","def"]]}`},
		{`{"/":9,"~1":10}`, `[{"op":"test","path":"/~01","value":10}]`, `{"/":9,"~1":10}`},
		{`{"foo":{"a":1}}`, `[{"op":"copy","from":"/foo","path":"/bar"},{"op":"add","path":"/bar/b","value":2}]`, `{"bar":{"a":1,"b":2},"foo":{"a":1}}`},
		{`{"n":1.0}`, `[{"op":"test","path":"/n","value":1}]`, `{"n":1.0}`},
	}
	for _, c := range cases {
		got := apply(t, c.doc, c.patch)
		if got != mustCompact(t, c.want) {
			t.Errorf("%s + %s = %s, want %s", c.doc, c.patch, got, c.want)
		}
	}
}

func TestJSONPatchErrors(t *testing.T) {
	cases := []struct{ doc, patch string }{
		{`{"baz":"qux"}`, `[{"op":"test","path":"/baz","value":"bar"}]`},
		{`{"foo":"bar"}`, `[{"op":"add","path":"/baz/bat","value":"qux"}]`},
		{`{"foo":"bar"}`, `[{"op":"remove","path":"/nope"}]`},
		{`{"foo":"bar"}`, `[{"op":"replace","path":"/nope","value":1}]`},
		{`{"foo":[1]}`, `[{"op":"add","path":"/foo/5","value":1}]`},
		{`{"foo":[1]}`, `[{"op":"remove","path":"/foo/01"}]`},
		{`{"foo":{"a":1}}`, `[{"op":"move","from":"/foo","path":"/foo/a"}]`},
		{`{"foo":1}`, `[{"op":"remove","path":""}]`},
	}
	for _, c := range cases {
		ops, err := parsePatch([]byte(c.patch))
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := decodeValue([]byte(c.doc))
		if _, err := applyPatch(doc, ops); err == nil {
			t.Errorf("%s + %s: want an error", c.doc, c.patch)
		}
	}
	for _, bad := range []string{`{}`, `[{"op":"frob","path":"/a"}]`, `[{"op":"add","path":"/a"}]`, `[{"op":"move","path":"/a"}]`, `[{"op":"remove"}]`} {
		if _, err := parsePatch([]byte(bad)); err == nil {
			t.Errorf("parsePatch(%s): want an error", bad)
		}
	}
}

func apply(t *testing.T, doc, patch string) string {
	t.Helper()
	ops, err := parsePatch([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := decodeValue([]byte(doc))
	out, err := applyPatch(d, ops)
	if err != nil {
		t.Fatalf("%s + %s: %v", doc, patch, err)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func mustCompact(t *testing.T, s string) string {
	v, _ := decodeValue([]byte(s))
	b, _ := json.Marshal(v)
	return string(b)
}
