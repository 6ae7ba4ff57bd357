package search

import (
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"dsn"
)

func TestParse(t *testing.T) {
	day := func(y, m, d int) (time.Time, time.Time) {
		lo := utc(y, m, d, 0, 0, 0)
		return lo, lo.AddDate(0, 0, 1)
	}
	lo25, hi25 := day(2026, 11, 25)
	cases := []struct {
		typ, query string
		want       []dsn.Clause
	}{
		{"Patient", "family=C%C3%B4t%C3%A9", []dsn.Clause{{Param: "family", Type: dsn.ParamString, Values: []dsn.Value{{Text: "cote"}}}}},
		{"Patient", "family:exact=C%C3%B4t%C3%A9", []dsn.Clause{{Param: "family", Type: dsn.ParamString, Modifier: "exact", Values: []dsn.Value{{Text: "Côté"}}}}},
		{"Patient", "name:contains=tremb,gagn", []dsn.Clause{{Param: "name", Type: dsn.ParamString, Modifier: "contains", Values: []dsn.Value{{Text: "tremb"}, {Text: "gagn"}}}}},
		{"Patient", `given=a\,b,c`, []dsn.Clause{{Param: "given", Type: dsn.ParamString, Values: []dsn.Value{{Text: "a,b"}, {Text: "c"}}}}},
		{"Patient", "identifier=https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id|TREM12345678",
			[]dsn.Clause{{Param: "identifier", Type: dsn.ParamToken, Values: []dsn.Value{{System: "https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id", Code: "TREM12345678"}}}}},
		{"Patient", "gender=female,|other,http://hl7.org/fhir/administrative-gender|",
			[]dsn.Clause{{Param: "gender", Type: dsn.ParamToken, Values: []dsn.Value{{AnySystem: true, Code: "female"}, {Code: "other"}, {System: "http://hl7.org/fhir/administrative-gender"}}}}},
		{"Patient", `identifier=urn:x|a\|b`, []dsn.Clause{{Param: "identifier", Type: dsn.ParamToken, Values: []dsn.Value{{System: "urn:x", Code: "a|b"}}}}},
		{"Patient", "gender:not=male", []dsn.Clause{{Param: "gender", Type: dsn.ParamToken, Modifier: "not", Values: []dsn.Value{{AnySystem: true, Code: "male"}}}}},
		{"Patient", "identifier:text=Carte%20NAM", []dsn.Clause{{Param: "identifier", Type: dsn.ParamToken, Modifier: "text", Values: []dsn.Value{{Text: "carte nam"}}}}},
		{"Patient", "birthdate=ge1970&birthdate=lt1980-06", []dsn.Clause{
			{Param: "birthdate", Type: dsn.ParamDate, Values: []dsn.Value{{Prefix: "ge", Low: utc(1970, 1, 1, 0, 0, 0), High: utc(1971, 1, 1, 0, 0, 0)}}},
			{Param: "birthdate", Type: dsn.ParamDate, Values: []dsn.Value{{Prefix: "lt", Low: utc(1980, 6, 1, 0, 0, 0), High: utc(1980, 7, 1, 0, 0, 0)}}}}},
		{"Patient", "_lastUpdated=2026-11-25", []dsn.Clause{{Param: "_lastUpdated", Type: dsn.ParamDate, Values: []dsn.Value{{Low: lo25, High: hi25}}}}},
		{"Patient", "birthdate=2026-11-25T10:00:00+01:00", []dsn.Clause{{Param: "birthdate", Type: dsn.ParamDate,
			Values: []dsn.Value{{Low: utc(2026, 11, 25, 9, 0, 0), High: utc(2026, 11, 25, 9, 0, 1)}}}}},
		{"Patient", "_id=a,b", []dsn.Clause{{Param: "_id", Type: dsn.ParamToken, Values: []dsn.Value{{AnySystem: true, Code: "a"}, {AnySystem: true, Code: "b"}}}}},
		{"Patient", "email:missing=true", []dsn.Clause{{Param: "email", Type: dsn.ParamToken, Modifier: "missing", Values: []dsn.Value{{Text: "true"}}}}},
		{"Observation", "subject=Patient/p1,p2", []dsn.Clause{{Param: "subject", Type: dsn.ParamReference, Values: []dsn.Value{{RefType: "Patient", RefID: "p1"}, {RefID: "p2"}}}}},
		{"Observation", "patient=p1", []dsn.Clause{{Param: "patient", Type: dsn.ParamReference, Values: []dsn.Value{{RefType: "Patient", RefID: "p1"}}}}},
		{"Observation", "subject:Patient=p1", []dsn.Clause{{Param: "subject", Type: dsn.ParamReference, Modifier: "Patient", Values: []dsn.Value{{RefType: "Patient", RefID: "p1"}}}}},
		{"Observation", "subject=https://x/fhir/Patient/p1", []dsn.Clause{{Param: "subject", Type: dsn.ParamReference, Values: []dsn.Value{{Text: "https://x/fhir/Patient/p1"}}}}},
		{"Observation", "subject=Patient/p1/_history/3", []dsn.Clause{{Param: "subject", Type: dsn.ParamReference, Values: []dsn.Value{{RefType: "Patient", RefID: "p1"}}}}},
		{"Observation", "value-quantity=gt5.4|http://unitsofmeasure.org|mmol/L,le7", []dsn.Clause{{Param: "value-quantity", Type: dsn.ParamQuantity,
			Values: []dsn.Value{num(dsn.Value{Prefix: "gt", System: "http://unitsofmeasure.org", Code: "mmol/L"}, "5.4"), num(dsn.Value{Prefix: "le"}, "7")}}}},
		{"Observation", "value-quantity=5.4||mg", []dsn.Clause{{Param: "value-quantity", Type: dsn.ParamQuantity, Values: []dsn.Value{num(dsn.Value{Code: "mg"}, "5.4")}}}},
		{"RiskAssessment", "probability=ap0.5,-1e2", []dsn.Clause{{Param: "probability", Type: dsn.ParamNumber, Values: []dsn.Value{num(dsn.Value{Prefix: "ap"}, "0.5"), num(dsn.Value{}, "-1e2")}}}},
		{"ValueSet", "url=http://x/vs", []dsn.Clause{{Param: "url", Type: dsn.ParamURI, Values: []dsn.Value{{Text: "http://x/vs"}}}}},
		{"", "_id=x", []dsn.Clause{{Param: "_id", Type: dsn.ParamToken, Values: []dsn.Value{{AnySystem: true, Code: "x"}}}}},
	}
	r := newTestRegistry()
	for _, c := range cases {
		vals, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		q, issues, err := r.parse(c.typ, vals, true)
		if err != nil {
			t.Errorf("%s?%s: %v", c.typ, c.query, err)
			continue
		}
		if len(issues) != 0 {
			t.Errorf("%s?%s: issues %+v", c.typ, c.query, issues)
		}
		if q.Type != c.typ || !reflect.DeepEqual(q.Clauses, c.want) {
			t.Errorf("%s?%s:\n got %+v\nwant %+v", c.typ, c.query, q.Clauses, c.want)
		}
	}
}

func TestParseResultParams(t *testing.T) {
	r := newTestRegistry()
	q, issues, err := r.parse("Patient", url.Values{"_count": {"5000"}, "_sort": {"family"}, "_total": {"accurate"},
		"_include": {"Patient:organization"}, "_format": {"json"}, "_cursor": {"abc"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != MaxCount || !q.Total || q.Cursor != "abc" {
		t.Errorf("query = %+v", q)
	}
	if len(issues) != 1 { // _count capped
		t.Errorf("issues = %+v", issues)
	}
	for _, is := range issues {
		if is.Severity != "warning" {
			t.Errorf("issue %+v should be a warning", is)
		}
	}
	q, _, _ = r.parse("Patient", url.Values{"_count": {"20"}}, false)
	if q.Count != 20 {
		t.Errorf("count = %d", q.Count)
	}
}

func TestParseProblems(t *testing.T) {
	bad := []string{
		"nope=1",                   // unknown parameter
		"family:fuzzy=x",           // unknown modifier
		"birthdate=25-11-2026",     // malformed date
		"birthdate=ge",             // prefix without date
		"value-quantity=abc",       // not a number
		"value-quantity=1|a",       // two parts
		"subject=Patient/bad id",   // malformed id
		"subject:Practitioner=p1",  // not a target
		"subject=Practitioner/p1",  // not a target
		"subject:Patient=Group/g1", // contradicts the modifier
		"identifier=a|b|c",         // three parts
		"identifier=|",             // empty token
		"email:missing=maybe",      // bad :missing
		"_count=-1",                // bad count
		"_total=all",               // bad _total
		"code-value-quantity=x",    // composite: one part of two
		"subject.nope=x",           // chained to an unknown parameter
		"_has:Observation:patient", // _has without a parameter
		"family=",                  // no value
		"gender:below=x",           // needs a terminology server
		"subject:above=Patient/1",  // needs a hierarchy
		"_text=x",                  // not supported
	}
	r := newTestRegistry()
	for _, query := range bad {
		typ := "Patient"
		if strings.HasPrefix(query, "subject") || strings.HasPrefix(query, "value-") || strings.HasPrefix(query, "code-") || strings.HasPrefix(query, "_has") {
			typ = "Observation"
		}
		vals, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = r.parse(typ, vals, true)
		var de *dsn.Error
		if dsn.KindOf(err) != dsn.KindInvalid || len(dsn.IssuesOf(err)) != 1 {
			t.Errorf("strict %s?%s: err = %v (%T %v)", typ, query, err, de, dsn.IssuesOf(err))
		}
		q, issues, err := r.parse(typ, vals, false)
		if err != nil || len(issues) != 1 || issues[0].Severity != "warning" || len(q.Clauses) != 0 {
			t.Errorf("lenient %s?%s: err=%v issues=%+v clauses=%+v", typ, query, err, issues, q.Clauses)
		}
	}
	if _, _, err := r.parse("Nope", url.Values{}, false); dsn.KindOf(err) != dsn.KindNotFound {
		t.Errorf("unknown type: %v", err)
	}
}

func TestSplitAndUnescape(t *testing.T) {
	got := splitOr(`a\,b,c\\,d`)
	want := []string{`a\,b`, `c\\`, `d`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitOr = %q", got)
	}
	if u := unescape(`a\,b\|c\$d\\e\x`); u != `a,b|c$d\e\x` {
		t.Errorf("unescape = %q", u)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"family=C%C3%B4t%C3%A9", "birthdate=ge1970-01-01T10:00:00Z", `identifier=a\|b|c`,
		"subject:Patient=p1,Patient/p2", "value-quantity=gt5|http://unitsofmeasure.org|kg", "_count=10&_sort=-date",
		"probability=ap1e3", "email:missing=true", "a:b:c=\\", "subject:Patient.name=x", "_has:Observation:patient:_has:AuditEvent:entity:agent=x",
		"code-value-quantity=a|b$gt1", "_include:iterate=Patient:organization&_sort=-date,code", "patient.organization.name=x"} {
		f.Add(s)
	}
	r := newTestRegistry()
	f.Fuzz(func(t *testing.T, query string) {
		vals, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		for _, typ := range []string{"Patient", "Observation", ""} {
			// On the test slice and on the R4 definitions: lenient never
			// fails, and every clause has values, a chain or a _has.
			for _, parse := range []func(string, url.Values, bool) (dsn.SearchQuery, []dsn.Issue, error){r.parse, Parse} {
				q, _, err := parse(typ, vals, false)
				if err != nil {
					t.Fatalf("lenient parse failed: %v", err)
				}
				if q.Count < 0 || q.Count > MaxCount {
					t.Fatalf("count %d", q.Count)
				}
				for _, c := range q.Clauses {
					if len(c.Values) == 0 && c.Chain == nil && c.Has == nil {
						t.Fatalf("clause without values: %+v", c)
					}
				}
				if _, _, err := parse(typ, vals, true); err != nil && dsn.KindOf(err) != dsn.KindInvalid {
					t.Fatalf("strict parse: %v", err)
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	vals, _ := url.ParseQuery("patient=p1&code=http://loinc.org|8867-4,http://loinc.org|8480-6&date=ge2026-01-01T00:00:00Z&_count=50&value-quantity=gt100|http://unitsofmeasure.org|/min")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Parse("Observation", vals, true); err != nil {
			b.Fatal(err)
		}
	}
}

// num fills the number of v and the range its precision implies.
func num(v dsn.Value, s string) dsn.Value {
	v.Number, _ = strconv.ParseFloat(s, 64)
	v.NumLow, v.NumHigh = numberRange(s, v.Number)
	return v
}

func TestNumberRange(t *testing.T) {
	for _, c := range []struct {
		s      string
		lo, hi float64
	}{{"100", 99.5, 100.5}, {"100.00", 99.995, 100.005}, {"1e2", 50, 150}, {"-1e2", -150, -50}, {"0.5", 0.45, 0.55}, {"2.5E-1", 0.245, 0.255}} {
		f, _ := strconv.ParseFloat(c.s, 64)
		lo, hi := numberRange(c.s, f)
		if math.Abs(lo-c.lo) > 1e-12 || math.Abs(hi-c.hi) > 1e-12 {
			t.Errorf("numberRange(%s) = [%v, %v), want [%v, %v)", c.s, lo, hi, c.lo, c.hi)
		}
	}
}
