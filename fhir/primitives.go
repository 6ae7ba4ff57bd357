package fhir

import (
	"strconv"
	"strings"
)

// Hand-written checks of the R4 primitive formats (datatypes.html#primitive).
// Each is equivalent to the regex the R4 StructureDefinition gives for the
// type's value (kept in the generated tables; primitives_test.go compares
// them), and the date types also reject impossible calendar dates such as
// 2023-02-30, which the regexes let through. They avoid regexp because
// validation runs on every write.

const maxStringLen = 1048576 // string.value maxLength in the R4 definition

// checkString validates the text of a string-valued primitive of type typ.
func checkString(typ, s string) bool {
	if s == "" {
		return false // json.html#primitive: empty strings are not allowed
	}
	switch typ {
	case "string":
		return len(s) <= maxStringLen && !strings.ContainsRune(s, '\f')
	case "markdown":
		return !strings.ContainsRune(s, '\f')
	case "code":
		return isCode(s)
	case "id":
		return isID(s)
	case "uri", "url", "canonical":
		return !hasSpace(s)
	case "oid":
		return isOID(s)
	case "uuid":
		return isUUID(s)
	case "base64Binary":
		return isBase64(s)
	case "date":
		return isDate(s)
	case "dateTime":
		return isDateTime(s)
	case "instant":
		return isInstant(s)
	case "time":
		rest, ok := timeOfDay(s)
		return ok && rest == ""
	case "xhtml":
		return strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "<div")
	}
	return true
}

// checkNumber validates the JSON text of a number-valued primitive.
func checkNumber(typ, s string) bool {
	if typ == "decimal" {
		return isDecimal(s)
	}
	if !isInteger(s) {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 32) // integer is 32-bit (datatypes.html#integer)
	if err != nil {
		return false
	}
	switch typ {
	case "positiveInt":
		return n > 0
	case "unsignedInt":
		return n >= 0
	}
	return true
}

// isSpace is \s as the spec regexes mean it under RE2: [\t\n\f\r ].
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return true
		}
	}
	return false
}

// isCode: [^\s]+(\s[^\s]+)* — no leading, trailing or doubled whitespace.
func isCode(s string) bool {
	if isSpace(s[0]) || isSpace(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if isSpace(s[i]) && isSpace(s[i-1]) {
			return false
		}
	}
	return true
}

// ValidID reports whether s is a FHIR logical id, [A-Za-z0-9\-\.]{1,64}
// (datatypes.html#id): every read checks its URL's id with it, so it is a
// loop over bytes, not a regular expression (3 % of a read's CPU).
func ValidID(s string) bool { return s != "" && isID(s) }

// isID: [A-Za-z0-9\-\.]{1,64} (the empty string is refused by the caller).
func isID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isOID: urn:oid:[0-2](\.(0|[1-9][0-9]*))+.
func isOID(s string) bool {
	rest, ok := strings.CutPrefix(s, "urn:oid:")
	if !ok || len(rest) < 3 || rest[0] < '0' || rest[0] > '2' {
		return false
	}
	arcs := strings.Split(rest[1:], ".")
	if arcs[0] != "" {
		return false
	}
	for _, a := range arcs[1:] {
		if a == "" || !allDigits(a) || len(a) > 1 && a[0] == '0' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isUUID: urn:uuid: followed by a lower-case 8-4-4-4-12 hex UUID.
func isUUID(s string) bool {
	rest, ok := strings.CutPrefix(s, "urn:uuid:")
	if !ok || len(rest) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := rest[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(isDigit(c) || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// isBase64: (\s*([0-9a-zA-Z\+/=]){4}\s*)+ — quads of the alphabet, whitespace
// allowed only between quads.
func isBase64(s string) bool {
	i, quads := 0, 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return quads > 0
		}
		for k := 0; k < 4; k++ {
			if i == len(s) || !(isAlnum(s[i]) || s[i] == '+' || s[i] == '/' || s[i] == '=') {
				return false
			}
			i++
		}
		quads++
	}
}

// isInteger: -?([0]|([1-9][0-9]*)).
func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return s != "" && allDigits(s) && (s == "0" || s[0] != '0')
}

// isDecimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > 1 && s[0] == '0' {
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}
