package fhir

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"dsn"
)

// maxIssues bounds the report on garbage input; the first problems suffice.
const maxIssues = 100

// Validate checks obj (from Decode) against the R4 StructureDefinition of its
// resourceType: known elements, JSON types, cardinality, choice types, primitive
// formats, primitive extensions, required bindings the package can expand,
// Reference syntax, and contained or nested resources recursively. FHIRPath
// invariants are not checked (see README.md). It returns nil or a *dsn.Error of
// KindInvalid whose Issues each name the element by its FHIRPath.
func Validate(obj Object) error {
	v := validators.Get().(*validator)
	v.d = R4()
	v.resource(obj, "Resource")
	issues := v.issues
	v.issues, v.path = nil, v.path[:0]
	validators.Put(v)
	if len(issues) == 0 {
		return nil
	}
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Expression < issues[j].Expression })
	first := issues[0]
	// each language says the first issue in its own words
	m, more := messages["invalid"], messages["invalid.more"]
	msg := text{FR: fmt.Sprintf(m.FR, first.Diagnostics, first.Expression), EN: fmt.Sprintf(m.EN, first.English, first.Expression)}
	if n := len(issues); n > 1 {
		msg = text{FR: fmt.Sprintf(more.FR, msg.FR, n-1), EN: fmt.Sprintf(more.EN, msg.EN, n-1)}
	}
	return &dsn.Error{Op: "fhir.Validate", Kind: dsn.KindInvalid, Msg: msg.FR, English: msg.EN, Issues: issues}
}

// validators keeps validators and their path stacks between calls (each
// call's issues are its own): a transaction Bundle validates ~26 resources.
var validators = sync.Pool{New: func() any { return &validator{path: make([]seg, 0, 16)} }}

// validator walks a resource along its definition and collects issues. The
// FHIRPath of the current element is kept as a stack of segments and only
// rendered when an issue is reported: building it eagerly dominated the cost.
type validator struct {
	d      *Definitions
	issues []dsn.Issue
	path   []seg
}

// seg is one step of a FHIRPath: .name, .name.ofType(typ) or .name[i].
type seg struct {
	name, ofType string
	index        int // -1: no index
}

func (v *validator) push(name string) { v.path = append(v.path, seg{name: name, index: -1}) }
func (v *validator) pushChoice(name, typ string) {
	v.path = append(v.path, seg{name: name, ofType: typ, index: -1})
}
func (v *validator) pop()           { v.path = v.path[:len(v.path)-1] }
func (v *validator) setIndex(i int) { v.path[len(v.path)-1].index = i }
func (v *validator) pushRef(name string, r jsonRef) {
	if r.el.Choice {
		v.pushChoice(r.el.Name, r.typ) // valueQuantity is value.ofType(Quantity) (fhirpath.html#polymorphism)
		return
	}
	v.push(name)
}

// expr renders the current path, e.g. "Patient.name[0].given[1]".
func (v *validator) expr() string {
	var b strings.Builder
	for i, s := range v.path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
		if s.ofType != "" {
			b.WriteString(".ofType(" + s.ofType + ")")
		}
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		}
	}
	return b.String()
}

// add reports an issue on the current element: the sentence id
// (messages.go) with args, in both languages.
func (v *validator) add(code, id string, args ...any) {
	if len(v.issues) < maxIssues {
		msg := say(id, args...)
		v.issues = append(v.issues, dsn.Issue{Severity: "error", Code: code,
			Diagnostics: msg.FR, English: msg.EN, Expression: v.expr()})
	}
}

// addAt reports an issue on child element name of the current element.
func (v *validator) addAt(name, code, id string, args ...any) {
	v.push(name)
	v.add(code, id, args...)
	v.pop()
}

// resource validates a resource at the current path (empty for the top) where
// the definition declares the type declared ("Resource" for any).
func (v *validator) resource(obj map[string]any, declared string) {
	rt, ok := obj["resourceType"].(string)
	if !ok {
		v.addAt("resourceType", "structure", "type.absent")
		return
	}
	if !v.d.IsResourceType(rt) {
		v.addAt("resourceType", "invalid", "type.unknown", rt)
		return
	}
	if !v.d.isA(rt, declared) {
		v.addAt("resourceType", "invalid", "type.here", rt, declared)
		return
	}
	if len(v.path) == 0 {
		v.push(rt)
		defer v.pop()
	}
	v.object(obj, v.d.types[rt], true)
}

// object validates the properties of a JSON object of type td.
func (v *validator) object(obj map[string]any, td *typeDef, isResource bool) {
	if len(obj) == 0 {
		v.add("structure", "object.empty")
		return
	}
	// choice elements seen, to find value[x] given twice; on the stack for
	// the few an object has
	var seen [4]jsonRef
	choices := seen[:0]
	for k, val := range obj {
		if isResource && k == "resourceType" {
			continue
		}
		name, ext := strings.CutPrefix(k, "_")
		ref, ok := td.byJSON[name]
		if !ok || ext && (ref.el.System || ref.td.kind != "primitive-type" || ref.typ == "xhtml") {
			v.addAt(k, "structure", "element", k, td.name)
			continue
		}
		if ref.el.Choice {
			choices = v.checkChoice(choices, ref)
		}
		if ext {
			v.primitiveExtensions(obj, name, val, ref)
			continue
		}
		v.pushRef(name, ref)
		v.element(val, obj[ref.extKey], ref)
		v.pop()
	}
	for _, el := range td.required {
		if !present(obj, el) {
			v.addAt(el.Name, "required", "required", el.Name, el.Min)
		}
	}
}

// checkChoice reports a choice element given with two types (valueString and
// valueInteger), once per element whatever the map order: after reporting, the
// seen entry's type is blanked to mark it.
func (v *validator) checkChoice(seen []jsonRef, ref jsonRef) []jsonRef {
	for i, s := range seen {
		if s.el != ref.el || s.typ == ref.typ {
			continue
		}
		if s.typ != "" {
			a, b := min(s.typ, ref.typ), max(s.typ, ref.typ)
			v.addAt(ref.el.Name, "structure", "choice",
				ref.el.Name, a, b)
			seen[i].typ = ""
		}
		return seen
	}
	return append(seen, ref)
}

func present(obj map[string]any, el *elemDef) bool {
	for _, k := range el.keys {
		if _, ok := obj[k]; ok {
			return true
		}
	}
	return false
}

// element validates the value of one property: an array when the element
// repeats (max > 1), a single value otherwise (json.html#2.6.2). ext is the
// sibling "_name" value, whose objects may stand in for null array items.
func (v *validator) element(val, ext any, ref jsonRef) {
	el := ref.el
	if el.Max == 1 {
		switch val.(type) {
		case []any:
			v.add("structure", "one")
		case nil:
			v.add("structure", "null")
		default:
			v.item(val, ref)
		}
		return
	}
	arr, ok := val.([]any)
	if !ok {
		v.add("structure", "array")
		return
	}
	if len(arr) == 0 {
		v.add("structure", "array.empty")
		return
	}
	v.count(len(arr), el)
	exts, _ := ext.([]any)
	for i, item := range arr {
		v.setIndex(i)
		if item == nil {
			if ref.td == nil || ref.td.kind != "primitive-type" {
				v.add("structure", "null")
			} else if i >= len(exts) || exts[i] == nil {
				v.add("structure", "array.null", el.Name)
			}
			continue
		}
		v.item(item, ref)
	}
	v.setIndex(-1)
}

func (v *validator) count(n int, el *elemDef) {
	if n < el.Min {
		v.add("required", "min", el.Min, n)
	}
	if el.Max > 0 && n > el.Max {
		v.add("structure", "max", el.Max, n)
	}
}

// item validates one value of type ref.typ.
func (v *validator) item(val any, ref jsonRef) {
	typ, td := ref.typ, ref.td
	if td == nil {
		return // generated tables name every type they use; nothing to check against
	}
	if td.kind == "primitive-type" {
		v.primitive(val, ref)
		return
	}
	obj, ok := val.(map[string]any)
	if !ok {
		v.add("structure", "object", typ)
		return
	}
	if td.kind == "resource" {
		v.resource(obj, typ)
		return
	}
	v.object(obj, td, false)
	switch typ {
	case "Reference":
		v.reference(obj, ref.el.Targets)
	case "CodeableConcept":
		if ref.el.VS != "" {
			v.codeableConcept(obj, ref.el.VS)
		}
	}
}

// primitive checks a primitive's JSON type, format and required binding.
func (v *validator) primitive(val any, ref jsonRef) {
	typ := ref.typ
	switch typ {
	case "boolean":
		if _, ok := val.(bool); !ok {
			v.add("structure", "boolean")
		}
		return
	case "integer", "positiveInt", "unsignedInt", "decimal":
		s, ok := numberText(val)
		if !ok {
			v.add("structure", "number", typ)
		} else if !checkNumber(typ, s) {
			v.add("value", "number.value", s, typ)
		}
		return
	}
	s, ok := val.(string)
	switch {
	case !ok:
		v.add("structure", "string", typ)
	case s == "":
		v.add("value", "string.empty")
	case !checkString(typ, s):
		v.add("value", "string.value", clip(s), typ)
	case typ == "xhtml":
		if reason := checkXHTML(s); reason != "" {
			v.add("value", "xhtml", reason)
		}
	case ref.el.VS != "" && typ == "code" && !v.d.codes[ref.el.VS][s]:
		v.add("code-invalid", "code", clip(s), ref.el.VS)
	}
}

func numberText(val any) (string, bool) {
	switch n := val.(type) {
	case json.Number:
		return string(n), true
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64), true
	case int:
		return strconv.Itoa(n), true
	case int64:
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
