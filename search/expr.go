package search

import (
	"strconv"
	"strings"
)

// The FHIRPath subset evaluated here by walking JSON (fhirpath.html): the
// search parameter expressions of FHIR R4 are almost all of the forms below,
// so this covers nearly every parameter until extraction moves onto the full
// FHIRPath engine.
//
//	Type.a.b                       child elements; choice elements (value[x]) included
//	A | B                          union
//	x.where(resolve() is T)        references whose target type is T
//	x.where(name='literal')        elements whose primitive child equals the literal
//	x.as(T), (x as T), x.ofType(T) choice selection: valueQuantity is "value as Quantity"
//	x.extension('url')             extensions with that url (their value is indexed)
//	x[n]                           the n-th item
//	x.exists() and x != false      true or false (Patient.deceased)
//
// Anything else (exists(), and, hasExtension...) makes the parameter unsupported.

type stepKind uint8

const (
	stepChild     stepKind = iota // name
	stepAs                        // typ: keep values of that FHIR type
	stepResolveIs                 // typ: keep references to that resource type
	stepWhereEq                   // name = lit
	stepExtension                 // lit: extension url
	stepIndex                     // index
	stepPresent                   // the whole collection becomes true if it holds a value other than false, else false
)

type step struct {
	kind  stepKind
	name  string
	typ   string
	lit   string
	index int
	// Set by annotate from the R4 model, for stepChild: the element is known
	// not to be a choice (direct lookup only), or it is one and these are its
	// JSON names (valueQuantity, valueString...) with their type suffixes.
	plain   bool
	choices []choiceKey
}

type choiceKey struct{ key, typ string }

// model is what compilation needs of the FHIR definitions (fhir.R4()).
type model interface {
	ChildType(parent, child string) (string, bool)
	ChoiceTypes(parent, base string) ([]string, bool)
}

// annotate follows the element types from the resource type along p so that
// evaluation looks choice elements up by name instead of scanning every key.
// Where the type gets unknown (after an extension) lookups fall back to the scan.
// It returns the type the path ends on ("" when unknown).
func annotate(m model, resourceType string, p path) string {
	if m == nil {
		return ""
	}
	cur := resourceType
	for i := range p {
		st := &p[i]
		switch st.kind {
		case stepChild:
			if cur == "" {
				continue
			}
			if types, ok := m.ChoiceTypes(cur, st.name); ok {
				for _, t := range types {
					st.choices = append(st.choices, choiceKey{st.name + upperFirst(t), upperFirst(t)})
				}
				cur = ""
				continue
			}
			t, ok := m.ChildType(cur, st.name)
			st.plain, cur = ok, t
		case stepAs:
			cur = st.typ
		case stepExtension:
			cur = ""
		}
	}
	return cur
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

type path []step

// compileExpr compiles the parts of expr that apply to resourceType (parts
// rooted at another type are dropped, since the R4 definitions share one
// expression between several types). ok is false if a part is outside the subset.
func compileExpr(expr, resourceType string) (paths []path, ok bool) {
	if strings.TrimSpace(expr) == "" {
		return nil, false
	}
	if x, y, found := strings.Cut(expr, ".exists() and "); found && y == x+" != false" {
		p, applies, ok := compilePart(strings.TrimSpace(x), resourceType)
		if !ok || !applies {
			return nil, ok
		}
		return []path{append(p, step{kind: stepPresent})}, true
	}
	for _, part := range splitTop(expr, '|') {
		p, applies, ok := compilePart(strings.TrimSpace(part), resourceType)
		if !ok {
			return nil, false
		}
		if applies {
			paths = append(paths, p)
		}
	}
	return paths, true
}

func compilePart(part, resourceType string) (p path, applies, ok bool) {
	rest := part
	var tail []step
	if strings.HasPrefix(part, "(") {
		end := matchParen(part, 0)
		if end < 0 {
			return nil, false, false
		}
		inner := part[1:end]
		i := strings.LastIndex(inner, " as ")
		if i < 0 {
			return nil, false, false
		}
		typ := strings.TrimSpace(inner[i+4:])
		if !isName(typ) {
			return nil, false, false
		}
		rest = strings.TrimSpace(inner[:i])
		tail = append(tail, step{kind: stepAs, typ: typ})
		after := part[end+1:]
		if after != "" {
			if after[0] != '.' {
				return nil, false, false
			}
			more, ok := compileSteps(splitTop(after[1:], '.'))
			if !ok {
				return nil, false, false
			}
			tail = append(tail, more...)
		}
	}
	segs := splitTop(rest, '.')
	root := segs[0]
	if !isName(root) {
		return nil, false, false
	}
	steps, ok := compileSteps(segs[1:])
	if !ok {
		return nil, false, false
	}
	if root[0] >= 'a' && root[0] <= 'z' {
		// A path relative to the resource ("name | alias", InsurancePlan-name):
		// FHIRPath evaluates it from the resource itself.
		steps = append([]step{{kind: stepChild, name: root}}, steps...)
		return append(steps, tail...), true, true
	}
	applies = root == resourceType || root == "Resource" || root == "DomainResource"
	return append(steps, tail...), applies, true
}

func compileSteps(segs []string) ([]step, bool) {
	var out []step
	for _, s := range segs {
		st, ok := compileStep(strings.TrimSpace(s))
		if !ok {
			return nil, false
		}
		out = append(out, st...)
	}
	return out, true
}

func compileStep(s string) ([]step, bool) {
	if isName(s) {
		return []step{{kind: stepChild, name: s}}, true
	}
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") && isName(s[:i]) {
		n, err := strconv.Atoi(s[i+1 : len(s)-1])
		if err != nil || n < 0 {
			return nil, false
		}
		return []step{{kind: stepChild, name: s[:i]}, {kind: stepIndex, index: n}}, true
	}
	fn, arg, ok := call(s)
	if !ok {
		return nil, false
	}
	switch fn {
	case "as", "ofType":
		if isName(arg) {
			return []step{{kind: stepAs, typ: arg}}, true
		}
	case "extension":
		if u, ok := quoted(arg); ok {
			return []step{{kind: stepChild, name: "extension"}, {kind: stepExtension, lit: u}}, true
		}
	case "where":
		if t, ok := strings.CutPrefix(arg, "resolve() is "); ok && isName(t) {
			return []step{{kind: stepResolveIs, typ: t}}, true
		}
		if name, lit, found := strings.Cut(arg, "="); found && isName(strings.TrimSpace(name)) {
			if v, ok := quoted(strings.TrimSpace(lit)); ok {
				return []step{{kind: stepWhereEq, name: strings.TrimSpace(name), lit: v}}, true
			}
		}
	}
	return nil, false
}

// call splits "fn(arg)" into its name and argument text.
func call(s string) (fn, arg string, ok bool) {
	i := strings.IndexByte(s, '(')
	if i <= 0 || !strings.HasSuffix(s, ")") || matchParen(s, i) != len(s)-1 || !isName(s[:i]) {
		return "", "", false
	}
	return s[:i], strings.TrimSpace(s[i+1 : len(s)-1]), true
}

// quoted unquotes a single-quoted FHIRPath string literal without escapes.
func quoted(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' || strings.ContainsAny(s[1:len(s)-1], `'\`) {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// splitTop splits s on sep outside parentheses and quoted strings.
func splitTop(s string, sep byte) []string {
	var parts []string
	depth, start, inQuote := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// matchParen returns the index of the parenthesis closing the one at open, or -1.
func matchParen(s string, open int) int {
	depth, inQuote := 0, false
	for i := open; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
