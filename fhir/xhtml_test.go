package fhir

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestCheckXHTML(t *testing.T) {
	const ns = `xmlns="http://www.w3.org/1999/xhtml"`
	ok := []string{
		`<div ` + ns + `>Marie <b>Tremblay</b><br/><a href="#p1">lien</a></div>`,
		`<div ` + ns + `><table><tr><td>&lt;1 &amp; 2&#160;</td></tr></table><img src="#pic" alt="x"/></div>`,
		"  <div " + ns + ">é</div>\n",
	}
	bad := []string{
		`<div>sans espace de noms</div>`,
		`<p ` + ns + `>pas un div</p>`,
		`<div ` + ns + `><script>alert(1)</script></div>`,
		`<div ` + ns + `><img src="x" onerror="alert(1)"/></div>`,
		`<div ` + ns + `><a href=" JavaScript:alert(1)">x</a></div>`,
		`<div ` + ns + `><iframe src="https://x"></iframe></div>`,
		`<div ` + ns + `><form><input/></form></div>`,
		`<div ` + ns + `>&nbsp;</div>`,
		`<div ` + ns + `><b>non fermé</div>`,
		`<div ` + ns + `>a</div><div ` + ns + `>b</div>`,
		`<div ` + ns + `>a</div>texte`,
	}
	for _, s := range ok {
		if r := checkXHTML(s); r != "" {
			t.Errorf("checkXHTML(%s) = %q, want valid", s, r)
		}
	}
	for _, s := range bad {
		if checkXHTML(s) == "" {
			t.Errorf("checkXHTML(%s) accepted", s)
		}
	}
	obj, _ := Decode([]byte(`{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x</script></div>"}}`))
	if !hasIssue(issuesOf(Validate(obj)), "value", "Patient.text.div") {
		t.Error("Validate accepted a script in the narrative")
	}
}

// FuzzCheckXHTML checks the narrative scanner never panics and never accepts
// what encoding/xml finds malformed.
func FuzzCheckXHTML(f *testing.F) {
	const ns = `xmlns="http://www.w3.org/1999/xhtml"`
	f.Add(`<div ` + ns + `>Marie <b>Tremblay</b><br/><a href="#p1">lien</a></div>`)
	f.Add(`<div ` + ns + `><!-- c --><table><tr><td>&lt;1 &#160;</td></tr></table></div>`)
	f.Add(`<div ` + ns + `><![CDATA[x]]><p class='a'>b</p></div>`)
	f.Fuzz(func(t *testing.T, s string) {
		if checkXHTML(s) != "" {
			return
		}
		dec := xml.NewDecoder(strings.NewReader(s))
		dec.Strict = true
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("checkXHTML accepted %q; encoding/xml: %v", s, err)
			}
		}
	})
}
