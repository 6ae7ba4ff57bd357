package fhir

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const xhtmlNS = "http://www.w3.org/1999/xhtml"

// forbiddenXHTML are the elements narrative.html#xhtml excludes (invariant
// txt-1): "SHALL NOT contain a head, a body, external stylesheet references,
// scripts, forms, base/link/xlink, frames, iframes and objects".
var forbiddenXHTML = map[string]bool{
	"html": true, "head": true, "body": true, "script": true, "noscript": true,
	"form": true, "input": true, "button": true, "select": true, "option": true, "textarea": true,
	"base": true, "link": true, "meta": true, "frame": true, "frameset": true, "iframe": true,
	"object": true, "embed": true, "applet": true, "param": true,
}

// checkXHTML checks Narrative.div (narrative.html#xhtml): well-formed XML
// whose only entities are XML's own (the spec asks for Unicode characters, not
// &nbsp;), one root div declaring the XHTML namespace, none of the forbidden
// elements, no event attributes (onclick...) and no javascript: URLs. It
// returns a French reason, or "". A small scanner rather than encoding/xml,
// which made validation five times slower.
func checkXHTML(s string) string {
	if !utf8.ValidString(s) {
		return "XHTML en UTF-8 invalide"
	}
	x := &xhtmlScanner{s: s}
	return x.run()
}

type xhtmlScanner struct {
	s     string
	i     int
	stack []string
	roots int
}

func (x *xhtmlScanner) run() string {
	for x.i < len(x.s) {
		if x.s[x.i] != '<' {
			if r := x.text(); r != "" {
				return r
			}
			continue
		}
		rest := x.s[x.i:]
		var r string
		switch {
		case strings.HasPrefix(rest, "<!--"):
			r = x.skipTo("-->", "commentaire non terminé")
		case strings.HasPrefix(rest, "<![CDATA[") && len(x.stack) > 0:
			r = x.skipTo("]]>", "section CDATA non terminée")
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
			r = "instructions XML et directives non permises"
		case strings.HasPrefix(rest, "</"):
			r = x.endTag()
		default:
			r = x.startTag()
		}
		if r != "" {
			return r
		}
	}
	if len(x.stack) > 0 {
		return fmt.Sprintf("élément <%s> non fermé", x.stack[len(x.stack)-1])
	}
	if x.roots != 1 {
		return "un seul élément <div> racine est attendu"
	}
	return ""
}

func (x *xhtmlScanner) skipTo(end, msg string) string {
	k := strings.Index(x.s[x.i:], end)
	if k < 0 {
		return msg
	}
	x.i += k + len(end)
	return ""
}

// text reads character data up to the next '<'.
func (x *xhtmlScanner) text() string {
	start := x.i
	for x.i < len(x.s) && x.s[x.i] != '<' {
		c := x.s[x.i]
		switch {
		case c == '&':
			if !x.entity() {
				return "référence d'entité invalide (seules &lt; &gt; &amp; &quot; &apos; et &#...; sont permises)"
			}
			continue
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return "caractère de contrôle dans le XHTML"
		}
		x.i++
	}
	if len(x.stack) == 0 && strings.TrimSpace(x.s[start:x.i]) != "" {
		return "du texte est hors du <div>"
	}
	return ""
}

// entity reads &name; or &#n; or &#xh; at x.i.
func (x *xhtmlScanner) entity() bool {
	end := strings.IndexByte(x.s[x.i:], ';')
	if end < 2 {
		return false
	}
	ref := x.s[x.i+1 : x.i+end]
	x.i += end + 1
	switch ref {
	case "lt", "gt", "amp", "quot", "apos":
		return true
	}
	if hex, ok := strings.CutPrefix(ref, "#x"); ok {
		return hex != "" && len(hex) <= 6 && strings.Trim(hex, "0123456789abcdefABCDEF") == "" && strings.Trim(hex, "0") != ""
	}
	if dec, ok := strings.CutPrefix(ref, "#"); ok {
		return dec != "" && len(dec) <= 7 && allDigits(dec) && strings.Trim(dec, "0") != ""
	}
	return false
}

// name reads an element or attribute name: ASCII only (HTML's names are), a
// letter or '_' first, at most one ':' between non-empty parts. "" if invalid.
func (x *xhtmlScanner) name() string {
	start := x.i
	for x.i < len(x.s) {
		c := x.s[x.i]
		if !(isAlnum(c) || c == '_' || c == ':' || c == '-' || c == '.') {
			break
		}
		x.i++
	}
	n := x.s[start:x.i]
	if n == "" || !validNameStart(n[0]) {
		return ""
	}
	if k := strings.IndexByte(n, ':'); k >= 0 && (k == len(n)-1 || strings.Count(n, ":") > 1 || !validNameStart(n[k+1])) {
		return ""
	}
	return n
}

func validNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (x *xhtmlScanner) space() {
	for x.i < len(x.s) && (x.s[x.i] == ' ' || x.s[x.i] == '\t' || x.s[x.i] == '\n' || x.s[x.i] == '\r') {
		x.i++
	}
}

func (x *xhtmlScanner) endTag() string {
	x.i += 2
	name := x.name()
	x.space()
	if x.i >= len(x.s) || x.s[x.i] != '>' {
		return "balise fermante mal formée"
	}
	x.i++
	if len(x.stack) == 0 || x.stack[len(x.stack)-1] != name {
		return fmt.Sprintf("balise fermante </%s> inattendue", name)
	}
	x.stack = x.stack[:len(x.stack)-1]
	return ""
}

func (x *xhtmlScanner) startTag() string {
	x.i++
	name := x.name()
	if name == "" {
		return "nom d'élément invalide"
	}
	local := strings.ToLower(name[strings.LastIndexByte(name, ':')+1:])
	if forbiddenXHTML[local] {
		return fmt.Sprintf("l'élément <%s> n'est pas permis dans un récit", name)
	}
	root := len(x.stack) == 0
	if root {
		if x.roots++; x.roots > 1 || name != "div" {
			return "un seul élément <div> racine est attendu"
		}
	}
	xmlns, r := x.attributes()
	if r != "" {
		return r
	}
	if root && xmlns != xhtmlNS {
		return "le <div> racine doit déclarer xmlns=\"" + xhtmlNS + "\""
	}
	if strings.HasPrefix(x.s[x.i:], "/>") {
		x.i += 2
		return ""
	}
	if x.i >= len(x.s) || x.s[x.i] != '>' {
		return "balise ouvrante mal formée"
	}
	x.i++
	x.stack = append(x.stack, name)
	return ""
}

// attributes reads name="value" pairs up to '>' or '/>' and returns the xmlns value.
func (x *xhtmlScanner) attributes() (string, string) {
	var xmlns string
	var seen []string
	for {
		before := x.i
		x.space()
		if x.i >= len(x.s) {
			return "", "balise ouvrante non terminée"
		}
		if c := x.s[x.i]; c == '>' || c == '/' {
			return xmlns, ""
		}
		if x.i == before {
			return "", "espace attendu entre les attributs"
		}
		name := x.name()
		if name == "" {
			return "", "nom d'attribut invalide"
		}
		for _, s := range seen {
			if s == name {
				return "", fmt.Sprintf("attribut %s en double", name)
			}
		}
		seen = append(seen, name)
		value, r := x.attrValue()
		if r != "" {
			return "", r
		}
		if r := checkAttribute(name, value); r != "" {
			return "", r
		}
		if name == "xmlns" {
			xmlns = value
		}
	}
}

func (x *xhtmlScanner) attrValue() (string, string) {
	x.space()
	if x.i >= len(x.s) || x.s[x.i] != '=' {
		return "", "'=' attendu après le nom d'attribut"
	}
	x.i++
	x.space()
	if x.i >= len(x.s) || x.s[x.i] != '"' && x.s[x.i] != '\'' {
		return "", "valeur d'attribut sans guillemets"
	}
	quote := x.s[x.i]
	x.i++
	start := x.i
	for x.i < len(x.s) && x.s[x.i] != quote {
		switch c := x.s[x.i]; {
		case c == '<':
			return "", "'<' dans une valeur d'attribut"
		case c == '&':
			if !x.entity() {
				return "", "référence d'entité invalide dans un attribut"
			}
			continue
		}
		x.i++
	}
	if x.i >= len(x.s) {
		return "", "valeur d'attribut non terminée"
	}
	x.i++
	return x.s[start : x.i-1], ""
}

func checkAttribute(name, value string) string {
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "on") {
		return fmt.Sprintf("l'attribut d'événement %s n'est pas permis", name)
	}
	if (lower == "href" || lower == "src") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(value)), "javascript:") {
		return "les URL javascript: ne sont pas permises"
	}
	return ""
}
