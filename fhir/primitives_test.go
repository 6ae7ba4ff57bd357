package fhir

import (
	"regexp"
	"testing"
)

// primitiveCases lists values per type with whether FHIR R4 accepts them.
// calendar marks values that match the spec regex but are impossible dates,
// which the checkers reject on purpose.
var primitiveCases = []struct {
	typ, value string
	want       bool
	calendar   bool
}{
	{"id", "a-B.9", true, false}, {"id", "x", true, false}, {"id", "a_b", false, false}, {"id", "a b", false, false},
	{"id", "0123456789012345678901234567890123456789012345678901234567890123", true, false},
	{"id", "0123456789012345678901234567890123456789012345678901234567890123X", false, false},
	{"date", "2024", true, false}, {"date", "2024-02", true, false}, {"date", "2024-02-29", true, false},
	{"date", "2023-02-29", false, true}, {"date", "2024-04-31", false, true}, {"date", "0000", false, false},
	{"date", "2024-13", false, false}, {"date", "2024-1-02", false, false}, {"date", "24", false, false},
	{"date", "2024-01-01T10:00:00Z", false, false}, {"date", "2024-00-10", false, false}, {"date", "1900-02-29", false, true},
	{"date", "2000-02-29", true, false},
	{"dateTime", "2024", true, false}, {"dateTime", "2024-05", true, false}, {"dateTime", "2024-05-06", true, false},
	{"dateTime", "2024-05-06T07:08:09Z", true, false}, {"dateTime", "2024-05-06T07:08:09.123+05:30", true, false},
	{"dateTime", "2024-05-06T23:59:60-14:00", true, false}, {"dateTime", "2024-05-06T23:59:60+14:01", false, false},
	{"dateTime", "2024-05-06T07:08:09", false, false}, {"dateTime", "2024-05-06T07:08Z", false, false},
	{"dateTime", "2024-05T07:08:09Z", false, false}, {"dateTime", "2024-05-06T24:00:00Z", false, false},
	{"dateTime", "2024-05-06T07:08:09.Z", false, false}, {"dateTime", "2024-05-06T07:08:09+5:00", false, false},
	{"dateTime", "2024-02-30T07:08:09Z", false, true},
	{"instant", "2024-05-06T07:08:09Z", true, false}, {"instant", "2024-05-06T07:08:09.000001-04:00", true, false},
	{"instant", "2024-05-06", false, false}, {"instant", "2024-05-06T07:08:09", false, false},
	{"time", "07:08:09", true, false}, {"time", "23:59:60.5", true, false}, {"time", "24:00:00", false, false},
	{"time", "7:08:09", false, false}, {"time", "07:08", false, false}, {"time", "07:08:09Z", false, false},
	{"uri", "http://x.org/a?b=c", true, false}, {"uri", "urn:uuid:x", true, false}, {"uri", "a b", false, false},
	{"url", "https://x.org", true, false}, {"canonical", "http://x.org/vs|1.0", true, false}, {"canonical", "x\ty", false, false},
	{"code", "a", true, false}, {"code", "a b", true, false}, {"code", "a  b", false, false}, {"code", " a", false, false},
	{"code", "a ", false, false}, {"code", "a\nb", true, false}, {"code", "é", true, false},
	{"string", "Marie-Ève", true, false}, {"string", " spaces \r\n\t ok ", true, false}, {"string", "form\ffeed", false, false},
	{"markdown", "# titre\n\n*gras*", true, false},
	{"oid", "urn:oid:1.2.840.10008", true, false}, {"oid", "urn:oid:2.0", true, false}, {"oid", "urn:oid:3.1", false, false},
	{"oid", "urn:oid:1", false, false}, {"oid", "urn:oid:1.02", false, false}, {"oid", "1.2.3", false, false}, {"oid", "urn:oid:1.", false, false},
	{"uuid", "urn:uuid:c757873d-ec9a-4326-a141-556f43239520", true, false},
	{"uuid", "urn:uuid:C757873D-EC9A-4326-A141-556F43239520", false, false},
	{"uuid", "c757873d-ec9a-4326-a141-556f43239520", false, false}, {"uuid", "urn:uuid:c757873d", false, false},
	{"base64Binary", "QUJD", true, false}, {"base64Binary", "QUJDRA==", true, false}, {"base64Binary", " QUJD \n RA== ", true, false},
	{"base64Binary", "QUJ", false, false}, {"base64Binary", "QU JD", false, false}, {"base64Binary", "QUJ!", false, false},
}

var numberCases = []struct {
	typ, value string
	want       bool
}{
	{"integer", "0", true}, {"integer", "-12", true}, {"integer", "2147483647", true}, {"integer", "2147483648", false},
	{"integer", "-2147483648", true}, {"integer", "01", false}, {"integer", "1.0", false}, {"integer", "1e2", false},
	{"positiveInt", "1", true}, {"positiveInt", "0", false}, {"positiveInt", "-1", false},
	{"unsignedInt", "0", true}, {"unsignedInt", "-1", false}, {"unsignedInt", "42", true},
	{"decimal", "1.50", true}, {"decimal", "-0.0", true}, {"decimal", "1e-3", true}, {"decimal", "6.02E+23", true},
	{"decimal", "01.5", false}, {"decimal", ".5", false}, {"decimal", "1.", false}, {"decimal", "1e", false},
}

// specRegex compiles the R4 regex of typ from the generated tables, anchored
// as XML Schema patterns are.
func specRegex(t *testing.T, typ string) *regexp.Regexp {
	t.Helper()
	re, ok := R4().regex[typ]
	if !ok || re == "" {
		t.Fatalf("no regex for %s in the generated tables", typ)
	}
	return regexp.MustCompile(`^(?:` + re + `)$`)
}

func TestPrimitiveFormats(t *testing.T) {
	for _, c := range primitiveCases {
		if got := checkString(c.typ, c.value); got != c.want {
			t.Errorf("checkString(%s, %q) = %v, want %v", c.typ, c.value, got, c.want)
		}
		// The table itself must agree with the spec regex, except impossible calendar dates.
		if spec := specRegex(t, c.typ).MatchString(c.value); spec != (c.want || c.calendar) {
			t.Errorf("spec regex for %s on %q = %v, table says %v (calendar %v)", c.typ, c.value, spec, c.want, c.calendar)
		}
	}
	for _, c := range numberCases {
		if got := checkNumber(c.typ, c.value); got != c.want {
			t.Errorf("checkNumber(%s, %q) = %v, want %v", c.typ, c.value, got, c.want)
		}
		inRange := c.value != "2147483648" // the regex cannot express the 32-bit range
		if spec := specRegex(t, c.typ).MatchString(c.value); spec != (c.want || !inRange) {
			t.Errorf("spec regex for %s on %q = %v, table says %v", c.typ, c.value, spec, c.want)
		}
	}
	if checkString("string", "") || checkString("code", "") {
		t.Error("empty strings accepted")
	}
}

// FuzzPrimitiveFormats checks that each hand-written checker never accepts
// what the spec regex rejects, and accepts what it accepts (dates aside).
func FuzzPrimitiveFormats(f *testing.F) {
	for _, c := range primitiveCases {
		f.Add(c.typ, c.value)
	}
	types := []string{"id", "date", "dateTime", "instant", "time", "uri", "code", "oid", "uuid", "base64Binary"}
	res := map[string]*regexp.Regexp{}
	for _, typ := range types {
		res[typ] = regexp.MustCompile(`^(?:` + R4().regex[typ] + `)$`)
	}
	f.Fuzz(func(t *testing.T, typ, value string) {
		re := res[typ]
		if re == nil || value == "" {
			return
		}
		got, spec := checkString(typ, value), re.MatchString(value)
		if got && !spec || !got && spec && typ != "date" && typ != "dateTime" && typ != "instant" {
			t.Errorf("checkString(%s, %q) = %v, spec regex %v", typ, value, got, spec)
		}
	})
}
