package fhir

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

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
	v := &validator{d: R4()}
	v.resource(obj, "", "Resource")
	if len(v.issues) == 0 {
		return nil
	}
	sort.SliceStable(v.issues, func(i, j int) bool { return v.issues[i].Expression < v.issues[j].Expression })
	first := v.issues[0]
	msg := fmt.Sprintf("ressource non conforme à FHIR R4 : %s (%s)", first.Diagnostics, first.Expression)
	if n := len(v.issues); n > 1 {
		msg += fmt.Sprintf(", et %d autre(s) problème(s)", n-1)
	}
	return &dsn.Error{Op: "fhir.Validate", Kind: dsn.KindInvalid, Msg: msg, Issues: v.issues}
}

// validator walks a resource along its definition and collects issues.
type validator struct {
	d      *Definitions
	issues []dsn.Issue
}

func (v *validator) add(code, expr, format string, args ...any) {
	if len(v.issues) < maxIssues {
		v.issues = append(v.issues, dsn.Issue{Severity: "error", Code: code,
			Diagnostics: fmt.Sprintf(format, args...), Expression: expr})
	}
}

// resource validates a resource found at path ("" for the top) where the
// definition declares the type declared ("Resource" for any).
func (v *validator) resource(obj map[string]any, path, declared string) {
	rtPath := path + ".resourceType"
	if path == "" {
		rtPath = "resourceType"
	}
	rt, ok := obj["resourceType"].(string)
	if !ok {
		v.add("structure", rtPath, "l'élément resourceType est absent ou n'est pas une chaîne")
		return
	}
	if !v.d.IsResourceType(rt) {
		v.add("invalid", rtPath, "type de ressource inconnu : %q", rt)
		return
	}
	if !v.d.isA(rt, declared) {
		v.add("invalid", rtPath, "une ressource %s n'est pas permise ici (attendu : %s)", rt, declared)
		return
	}
	if path == "" {
		path = rt
	}
	v.object(obj, v.d.types[rt], path, true)
}

// object validates the properties of a JSON object of type td.
func (v *validator) object(obj map[string]any, td *typeDef, path string, isResource bool) {
	if len(obj) == 0 {
		v.add("structure", path, "un objet vide n'est pas permis")
		return
	}
	var choices []jsonRef // choice elements seen, to find value[x] given twice
	for k, val := range obj {
		if isResource && k == "resourceType" {
			continue
		}
		name, ext := strings.CutPrefix(k, "_")
		ref, ok := td.byJSON[name]
		if !ok || ext && (ref.el.System || !v.d.isPrimitive(ref.typ)) {
			v.add("structure", path+"."+k, "élément inconnu %q pour le type %s", k, td.name)
			continue
		}
		if ref.el.Choice {
			choices = v.checkChoice(choices, ref, path)
		}
		if ext {
			v.primitiveExtensions(obj, name, val, ref, path)
			continue
		}
		v.element(val, obj["_"+name], ref, path+"."+name)
	}
	for _, el := range td.required {
		if !present(obj, el) {
			v.add("required", path+"."+el.Name, "l'élément obligatoire %s est absent (minimum %d)", el.Name, el.Min)
		}
	}
}

// checkChoice reports a choice element given with two types (valueString and valueInteger).
func (v *validator) checkChoice(seen []jsonRef, ref jsonRef, path string) []jsonRef {
	for _, s := range seen {
		if s.el == ref.el && s.typ != ref.typ {
			if s.typ < ref.typ { // report once, whatever the map order
				v.add("structure", path+"."+ref.el.Name+"[x]",
					"l'élément %s[x] ne peut avoir qu'un type (trouvé %s et %s)", ref.el.Name, s.typ, ref.typ)
			}
			return seen
		}
	}
	return append(seen, ref)
}

func present(obj map[string]any, el *elemDef) bool {
	if !el.Choice {
		_, a := obj[el.Name]
		_, b := obj["_"+el.Name]
		return a || b
	}
	for _, t := range el.Types {
		if _, ok := obj[el.Name+upperFirst(t)]; ok {
			return true
		}
		if _, ok := obj["_"+el.Name+upperFirst(t)]; ok {
			return true
		}
	}
	return false
}

// element validates the value of one property: an array when the element
// repeats (max > 1), a single value otherwise (json.html#2.6.2). ext is the
// sibling "_name" value, whose objects may stand in for null array items.
func (v *validator) element(val, ext any, ref jsonRef, path string) {
	el := ref.el
	if el.Max == 1 {
		switch val.(type) {
		case []any:
			v.add("structure", path, "une seule valeur est permise, pas un tableau")
		case nil:
			v.add("structure", path, "la valeur null n'est pas permise")
		default:
			v.item(val, ref, path)
		}
		return
	}
	arr, ok := val.([]any)
	if !ok {
		v.add("structure", path, "un tableau JSON est attendu (l'élément se répète)")
		return
	}
	if len(arr) == 0 {
		v.add("structure", path, "un tableau vide n'est pas permis")
		return
	}
	v.count(len(arr), el, path)
	exts, _ := ext.([]any)
	for i, item := range arr {
		p := path + "[" + strconv.Itoa(i) + "]"
		if item == nil {
			if i >= len(exts) || exts[i] == nil {
				v.add("structure", p, "null n'est permis que si _%s donne une extension à cette position", path[strings.LastIndexByte(path, '.')+1:])
			}
			continue
		}
		v.item(item, ref, p)
	}
}

func (v *validator) count(n int, el *elemDef, path string) {
	if n < el.Min {
		v.add("required", path, "au moins %d valeur(s) requise(s), %d trouvée(s)", el.Min, n)
	}
	if el.Max > 0 && n > el.Max {
		v.add("structure", path, "au plus %d valeur(s) permise(s), %d trouvée(s)", el.Max, n)
	}
}

// item validates one value of type ref.typ.
func (v *validator) item(val any, ref jsonRef, path string) {
	typ := ref.typ
	if v.d.isPrimitive(typ) {
		v.primitive(val, ref, path)
		return
	}
	obj, ok := val.(map[string]any)
	if !ok {
		v.add("structure", path, "un objet JSON est attendu (type %s)", typ)
		return
	}
	td := v.d.types[typ]
	if td == nil {
		return // generated tables name every type they use; nothing to check against
	}
	if td.kind == "resource" {
		v.resource(obj, path, typ)
		return
	}
	v.object(obj, td, path, false)
	switch typ {
	case "Reference":
		v.reference(obj, ref.el.Targets, path)
	case "CodeableConcept":
		if ref.el.VS != "" {
			v.codeableConcept(obj, ref.el.VS, path)
		}
	}
}

// primitive checks a primitive's JSON type, format and required binding.
func (v *validator) primitive(val any, ref jsonRef, path string) {
	typ := ref.typ
	switch typ {
	case "boolean":
		if _, ok := val.(bool); !ok {
			v.add("structure", path, "un booléen JSON (true/false) est attendu")
		}
		return
	case "integer", "positiveInt", "unsignedInt", "decimal":
		s, ok := numberText(val)
		if !ok {
			v.add("structure", path, "un nombre JSON est attendu (type %s)", typ)
		} else if !checkNumber(typ, s) {
			v.add("value", path, "valeur %s invalide pour le type %s", s, typ)
		}
		return
	}
	s, ok := val.(string)
	switch {
	case !ok:
		v.add("structure", path, "une chaîne JSON est attendue (type %s)", typ)
	case s == "":
		v.add("value", path, "une chaîne vide n'est pas permise")
	case !checkString(typ, s):
		v.add("value", path, "valeur %q invalide pour le type %s", clip(s), typ)
	case ref.el.VS != "" && typ == "code" && !v.d.codes[ref.el.VS][s]:
		v.add("code-invalid", path, "le code %q n'appartient pas à l'ensemble de valeurs %s", clip(s), ref.el.VS)
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
