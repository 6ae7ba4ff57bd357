package fhir

import (
	"strings"
)

// reference checks Reference.reference (references.html#literal): a relative
// "Type/id" or "Type/id/_history/vid", a conditional "Type?query" (allowed in
// transactions, http.html#trules), an absolute URL, a local "#id" to a
// contained resource, or a urn:uuid:/urn:oid: naming a Bundle entry. When the
// type is visible it must be one the element allows (targetProfile).
func (v *validator) reference(obj map[string]any, targets []string) {
	ref, ok := obj["reference"].(string)
	if !ok || ref == "" {
		return // absence, and wrong JSON types, are reported by object()
	}
	v.push("reference")
	defer v.pop()
	typ, ok := referenceType(ref)
	if !ok {
		v.add("value", "ref", clip(ref))
		return
	}
	if typ != "" && !v.d.IsResourceType(typ) {
		v.add("value", "ref.type", clip(ref), typ)
		return
	}
	if typ != "" && !allowsTarget(v.d, targets, typ) {
		v.add("value", "ref.target", typ, strings.Join(targets, ", "))
	}
}

// referenceType parses a literal reference and returns the resource type it
// names ("" when it does not show one: fragments, URNs, other URLs).
func referenceType(ref string) (string, bool) {
	switch {
	case strings.HasPrefix(ref, "#"):
		return "", ref == "#" || isID(ref[1:])
	case strings.HasPrefix(ref, "urn:uuid:"):
		return "", isUUID(ref)
	case strings.HasPrefix(ref, "urn:oid:"):
		return "", isOID(ref)
	case hasScheme(ref):
		if hasSpace(ref) {
			return "", false
		}
		// Any URL may be a reference; only a recognisable Type/id tail is checked.
		if typ := restType(ref); R4().IsResourceType(typ) {
			return typ, true
		}
		return "", true
	}
	if hasSpace(ref) {
		return "", false
	}
	if typ, query, cond := strings.Cut(ref, "?"); cond {
		return typ, isTypeName(typ) && query != ""
	}
	var parts [4]string
	n := splitSlash(ref, parts[:])
	switch {
	case n == 2 && isID(parts[1]):
	case n == 4 && isID(parts[1]) && parts[2] == "_history" && isID(parts[3]):
	default:
		return "", false
	}
	return parts[0], isTypeName(parts[0])
}

// splitSlash splits s at '/' into parts, as strings.Split does but without
// allocating (every Reference of every write is checked here), and returns
// the number of parts; len(parts)+1 if s has more.
func splitSlash(s string, parts []string) int {
	for n := range parts {
		head, rest, more := strings.Cut(s, "/")
		parts[n] = head
		if !more {
			return n + 1
		}
		s = rest
	}
	return len(parts) + 1
}

// lastSegments returns the last len(tail) '/'-separated segments of s into
// tail, in order, and how many s has (at most len(tail)).
func lastSegments(s string, tail []string) int {
	n := 0
	for n < len(tail) {
		i := strings.LastIndexByte(s, '/')
		tail[len(tail)-1-n] = s[i+1:]
		n++
		if i < 0 {
			break
		}
		s = s[:i]
	}
	copy(tail, tail[len(tail)-n:])
	return n
}

// restType returns Type from an absolute URL ending in Type/id or
// Type/id/_history/vid whose Type looks like a resource type, else "".
func restType(url string) string {
	var tail [4]string // the URL's last four segments: Type/id or Type/id/_history/vid
	parts := tail[:lastSegments(url, tail[:])]
	n := len(parts)
	if n >= 4 && parts[n-2] == "_history" {
		parts, n = parts[:n-2], n-2
	}
	if n >= 2 && isTypeName(parts[n-2]) && isID(parts[n-1]) {
		return parts[n-2]
	}
	return ""
}

// isTypeName: an upper-case letter followed by letters (a resource type's shape).
func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return true
}

// hasScheme reports an RFC 3986 scheme followed by ':'.
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

func allowsTarget(d *Definitions, targets []string, typ string) bool {
	if len(targets) == 0 {
		return true
	}
	for _, t := range targets {
		if t == "Resource" || t == typ || d.isA(typ, t) {
			return true
		}
	}
	return false
}

// codeableConcept checks a required binding on a CodeableConcept: each coding
// whose system the value set draws from must have one of its codes, and at
// least one coding must come from the value set (terminologies.html#required).
func (v *validator) codeableConcept(obj map[string]any, vs string) {
	codings, _ := obj["coding"].([]any)
	bySystem := v.d.valueSets[vs]
	found := false
	for _, c := range codings {
		coding, _ := c.(map[string]any)
		system, _ := coding["system"].(string)
		code, _ := coding["code"].(string)
		codes, known := bySystem[system]
		if !known {
			continue
		}
		if !containsSorted(codes, code) {
			v.addAt("coding", "code-invalid", "coding", system, clip(code), vs)
			return
		}
		found = true
	}
	if !found {
		v.add("code-invalid", "coding.none", vs)
	}
}

func containsSorted(sorted []string, s string) bool {
	lo, hi := 0, len(sorted)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case sorted[m] == s:
			return true
		case sorted[m] < s:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}
