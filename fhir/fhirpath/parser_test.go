package fhirpath

import (
	"testing"
	"time"
)

func evalText(t *testing.T, src string) string {
	t.Helper()
	e, err := parse(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	c := &evalCtx{opts: &Options{Now: time.Unix(0, 0)}}
	r, err := e.eval(c)
	if err != nil {
		return "error"
	}
	s := ""
	for i, it := range Items(r) {
		if i > 0 {
			s += ","
		}
		s += it.Text()
	}
	return s
}

// TestPrecedence pins the operator table of the N1 grammar: each expression
// gives a different result under a wrong precedence or associativity.
func TestPrecedence(t *testing.T) {
	cases := map[string]string{
		"1 + 2 * 3":                         "7",
		"(1 + 2) * 3":                       "9",
		"2 - 1 - 1":                         "0",
		"8 / 2 / 2":                         "2",
		"7 div 2 * 2":                       "6",
		"true or false and false":           "true",
		"false and true or true":            "true",
		"false implies false implies false": "false",
		"1 | 2 = 1 | 2":                     "true",
		"-2.abs()":                          "-2",
		"(-2).abs()":                        "2",
		"1 < 2 = true":                      "true",
		"'a' & 'b' = 'ab'":                  "true",
		"1 + 1 is Integer":                  "true",
		"2 in (1 | 2) and true":             "true",
		"(1 | 2 | 3)[1]":                    "2",
		"true xor true or true":             "true",
		"1 'mg' + 2 'mg' = 3 'mg'":          "true",
		"{} = {}":                           "",
		"'x' // trailing comment":           "x",
		"5 - -2":                            "7",
		"(1 | 2).count() * -1":              "-2",
		"2 > 1 and 'a' < 'b' implies 1 = 2": "false",
	}
	for src, want := range cases {
		if got := evalText(t, src); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, src := range []string{
		"", "1 +", "(1", "1)", "a.", "a..b", "'abc", "`abc", "@", "@20", "@2014-01-01T25:00",
		"@T10:00Z", "1 is", "f(1,)", "{1}", "$thisx", "%", "1 2", "a[1", "/* open", "'\\q'", "'\\u12'",
		"1.", ".5",
	} {
		if _, err := parse(src); err == nil {
			t.Errorf("parse(%q): no error", src)
		}
	}
}

func TestLexTokens(t *testing.T) {
	toks, err := lex("Patient.name[0] != %`vs-x` and @2014-01-02T10:00+01:00 ~ 1.5 'mg' // c")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Patient", ".", "name", "[", "0", "]", "!=", "vs-x", "and", "2014-01-02T10:00+01:00", "~", "1.5", "mg", ""}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens %v", len(toks), toks)
	}
	for i, w := range want {
		if toks[i].text != w {
			t.Errorf("token %d = %q, want %q", i, toks[i].text, w)
		}
	}
}
