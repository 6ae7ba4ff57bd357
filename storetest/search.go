package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"dsn"
)

const (
	genderSys = "http://hl7.org/fhir/administrative-gender"
	ramq      = "https://www.ramq.gouv.qc.ca/nam"
	loinc     = "http://loinc.org"
	ucum      = "http://unitsofmeasure.org"
)

func day(y, m, d int) (time.Time, time.Time) {
	lo := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return lo, lo.AddDate(0, 0, 1)
}

func dateKey(param string, lo, hi time.Time) dsn.DateKey {
	return dsn.DateKey{Param: param, Low: lo, High: hi}
}

// searchData writes three patients and two observations (at minutes 0..4).
func searchData(t *testing.T, s dsn.Store) {
	b1l, b1h := day(1980, 1, 1)
	p1 := dsn.Index{
		Tokens: []dsn.TokenKey{{Param: "gender", System: genderSys, Code: "female", Text: "Female"},
			{Param: "identifier", System: ramq, Code: "GAGE80010112"}},
		Strings: []dsn.StringKey{{Param: "name", Norm: "gagnon", Exact: "Gagnon"}, {Param: "name", Norm: "emilie", Exact: "Émilie"}},
		Dates:   []dsn.DateKey{dateKey("birthdate", b1l, b1h)},
	}
	p2 := dsn.Index{
		Tokens:  []dsn.TokenKey{{Param: "gender", System: genderSys, Code: "male"}, {Param: "identifier", System: ramq, Code: "TREJ75061512"}},
		Strings: []dsn.StringKey{{Param: "name", Norm: "tremblay", Exact: "Tremblay"}},
		Dates:   []dsn.DateKey{dateKey("birthdate", time.Date(1975, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(1975, 7, 1, 0, 0, 0, 0, time.UTC))},
	}
	b3l, b3h := day(2001, 3, 4)
	p3 := dsn.Index{
		Strings: []dsn.StringKey{{Param: "name", Norm: "gagne", Exact: "Gagné"}},
		Dates:   []dsn.DateKey{dateKey("birthdate", b3l, b3h)},
		Tokens:  []dsn.TokenKey{{Param: "identifier", Code: "LOCAL-3"}},
	}
	o1 := dsn.Index{
		References: []dsn.RefKey{{Param: "subject", Type: "Patient", ID: "p1"}},
		Tokens:     []dsn.TokenKey{{Param: "code", System: loinc, Code: "8867-4", Text: "Heart rate"}},
		Quantities: []dsn.QuantityKey{{Param: "value-quantity", Value: 72, System: ucum, Code: "/min", Unit: "beats/minute"}},
		Numbers:    []dsn.NumberKey{{Param: "probability", Value: 0.5}},
		URIs:       []dsn.URIKey{{Param: "url", URI: "http://example.org/a"}},
		Dates:      []dsn.DateKey{{Param: "date", Low: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}, // open-ended period
	}
	o2 := dsn.Index{
		References: []dsn.RefKey{{Param: "subject", Type: "Patient", ID: "p2"}, {Param: "performer", URL: "https://other.example/Practitioner/9"}},
		Tokens:     []dsn.TokenKey{{Param: "code", System: loinc, Code: "8480-6", Text: "Pression artérielle systolique"}},
		Quantities: []dsn.QuantityKey{{Param: "value-quantity", Value: 120, System: ucum, Code: "mm[Hg]", Unit: "mmHg"}},
		Numbers:    []dsn.NumberKey{{Param: "probability", Value: 0.8}},
		URIs:       []dsn.URIKey{{Param: "url", URI: "http://example.org/b"}},
	}
	for i, w := range []dsn.Write{res("Patient", "p1", 1, at(0), p1), res("Patient", "p2", 1, at(1), p2),
		res("Patient", "p3", 1, at(2), p3), res("Observation", "o1", 1, at(3), o1), res("Observation", "o2", 1, at(4), o2)} {
		w.PatientKey = []string{"p1", "p2", "p3", "p1", "p2"}[i]
		put(t, s, w)
	}
}

type searchCase struct {
	name string
	typ  string
	cl   []dsn.Clause
	want []string // ids, any order
}

func cl(param string, typ dsn.ParamType, mod string, vs ...dsn.Value) dsn.Clause {
	return dsn.Clause{Param: param, Type: typ, Modifier: mod, Values: vs}
}

func dv(prefix string, lo, hi time.Time) dsn.Value {
	return dsn.Value{Prefix: prefix, Low: lo, High: hi}
}

func searchCases() []searchCase {
	P, O := "Patient", "Observation"
	tok, str, date, ref := dsn.ParamToken, dsn.ParamString, dsn.ParamDate, dsn.ParamReference
	d80l, d80h := day(1980, 1, 1)
	y80l, y80h := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1981, 1, 1, 0, 0, 0, 0, time.UTC)
	d75l, d75h := day(1975, 6, 15)
	m, m2 := at(1), at(1).Add(time.Second) // _lastUpdated of p2, at second precision
	return []searchCase{
		{"_id", P, []dsn.Clause{cl("_id", tok, "", dsn.Value{Code: "p1"}, dsn.Value{Code: "p3"})}, []string{"p1", "p3"}},
		{"_lastUpdated eq", P, []dsn.Clause{cl("_lastUpdated", date, "", dv("", m, m2))}, []string{"p2"}},
		{"_lastUpdated gt", "", []dsn.Clause{cl("_lastUpdated", date, "", dv("gt", m, m2))}, []string{"p3", "o1", "o2"}},
		{"_lastUpdated le", P, []dsn.Clause{cl("_lastUpdated", date, "", dv("le", m, m2))}, []string{"p1", "p2"}},
		{"_lastUpdated lt", P, []dsn.Clause{cl("_lastUpdated", date, "", dv("lt", m, m2))}, []string{"p1"}},
		{"_lastUpdated ge", P, []dsn.Clause{cl("_lastUpdated", date, "", dv("ge", m, m2))}, []string{"p2", "p3"}},
		{"_lastUpdated ne", P, []dsn.Clause{cl("_lastUpdated", date, "", dv("ne", m, m2))}, []string{"p1", "p3"}},
		{"token code", P, []dsn.Clause{cl("gender", tok, "", dsn.Value{Code: "female", AnySystem: true})}, []string{"p1"}},
		{"token system|code", P, []dsn.Clause{cl("gender", tok, "", dsn.Value{System: genderSys, Code: "male"})}, []string{"p2"}},
		{"token wrong system", P, []dsn.Clause{cl("gender", tok, "", dsn.Value{System: "urn:x", Code: "male"})}, nil},
		{"token |code", P, []dsn.Clause{cl("identifier", tok, "", dsn.Value{Code: "LOCAL-3"})}, []string{"p3"}},
		{"token |code has a system", P, []dsn.Clause{cl("identifier", tok, "", dsn.Value{Code: "GAGE80010112"})}, nil},
		{"token system|", P, []dsn.Clause{cl("identifier", tok, "", dsn.Value{System: ramq})}, []string{"p1", "p2"}},
		{"token OR", P, []dsn.Clause{cl("gender", tok, "", dsn.Value{Code: "female", AnySystem: true}, dsn.Value{Code: "male", AnySystem: true})}, []string{"p1", "p2"}},
		{"token :not", P, []dsn.Clause{cl("gender", tok, "not", dsn.Value{Code: "female", AnySystem: true})}, []string{"p2", "p3"}},
		{"token :missing=true", P, []dsn.Clause{cl("gender", tok, "missing", dsn.Value{Text: "true"})}, []string{"p3"}},
		{"token :missing=false", P, []dsn.Clause{cl("gender", tok, "missing", dsn.Value{Text: "false"})}, []string{"p1", "p2"}},
		{"token :text", O, []dsn.Clause{cl("code", tok, "text", dsn.Value{Text: "HEART"})}, []string{"o1"}},
		{"token :text accents", O, []dsn.Clause{cl("code", tok, "text", dsn.Value{Text: "pression arterielle"})}, []string{"o2"}},
		{"string starts", P, []dsn.Clause{cl("name", str, "", dsn.Value{Text: "gag"})}, []string{"p1", "p3"}},
		{"string accents and case", P, []dsn.Clause{cl("name", str, "", dsn.Value{Text: "GAGNÉ"})}, []string{"p3"}},
		{"string accent-free query", P, []dsn.Clause{cl("name", str, "", dsn.Value{Text: "Emi"})}, []string{"p1"}},
		{"string not in the middle", P, []dsn.Clause{cl("name", str, "", dsn.Value{Text: "emb"})}, nil},
		{"string :contains", P, []dsn.Clause{cl("name", str, "contains", dsn.Value{Text: "EMB"})}, []string{"p2"}},
		{"string :contains wildcard", P, []dsn.Clause{cl("name", str, "contains", dsn.Value{Text: "%"})}, nil},
		{"string :exact", P, []dsn.Clause{cl("name", str, "exact", dsn.Value{Text: "Gagnon"})}, []string{"p1"}},
		{"string :exact case", P, []dsn.Clause{cl("name", str, "exact", dsn.Value{Text: "gagnon"})}, nil},
		{"AND", P, []dsn.Clause{cl("name", str, "", dsn.Value{Text: "gag"}), cl("gender", tok, "", dsn.Value{Code: "female", AnySystem: true})}, []string{"p1"}},
		{"date eq year", P, []dsn.Clause{cl("birthdate", date, "", dv("", y80l, y80h))}, []string{"p1"}},
		{"date eq day in month", P, []dsn.Clause{cl("birthdate", date, "", dv("eq", d75l, d75h))}, nil},
		{"date ap", P, []dsn.Clause{cl("birthdate", date, "", dv("ap", d75l, d75h))}, []string{"p2"}},
		{"date ne", P, []dsn.Clause{cl("birthdate", date, "", dv("ne", y80l, y80h))}, []string{"p2", "p3"}},
		{"date gt", P, []dsn.Clause{cl("birthdate", date, "", dv("gt", d80l, d80h))}, []string{"p3"}},
		{"date lt", P, []dsn.Clause{cl("birthdate", date, "", dv("lt", d80l, d80h))}, []string{"p2"}},
		{"date ge", P, []dsn.Clause{cl("birthdate", date, "", dv("ge", d80l, d80h))}, []string{"p1", "p3"}},
		{"date le", P, []dsn.Clause{cl("birthdate", date, "", dv("le", d80l, d80h))}, []string{"p1", "p2"}},
		{"date sa", P, []dsn.Clause{cl("birthdate", date, "", dv("sa", d80l, d80h))}, []string{"p3"}},
		{"date eb", P, []dsn.Clause{cl("birthdate", date, "", dv("eb", d80l, d80h))}, []string{"p2"}},
		{"date open end", O, []dsn.Clause{cl("date", date, "", dv("gt", y80l, y80h))}, []string{"o1"}},
		{"date :missing", O, []dsn.Clause{cl("date", date, "missing", dsn.Value{Text: "true"})}, []string{"o2"}},
		{"reference Type/id", O, []dsn.Clause{cl("subject", ref, "", dsn.Value{RefType: "Patient", RefID: "p1"})}, []string{"o1"}},
		{"reference id", O, []dsn.Clause{cl("subject", ref, "", dsn.Value{RefID: "p2"})}, []string{"o2"}},
		{"reference other type", O, []dsn.Clause{cl("subject", ref, "", dsn.Value{RefType: "Group", RefID: "p1"})}, nil},
		{"reference :Type", O, []dsn.Clause{cl("subject", ref, "Patient", dsn.Value{RefID: "p1"})}, []string{"o1"}},
		{"reference url", O, []dsn.Clause{cl("performer", ref, "", dsn.Value{Text: "https://other.example/Practitioner/9"})}, []string{"o2"}},
		{"all types", "", []dsn.Clause{cl("subject", ref, "", dsn.Value{RefType: "Patient", RefID: "p1"})}, []string{"o1"}},
		{"quantity eq", O, []dsn.Clause{cl("value-quantity", dsn.ParamQuantity, "", dsn.Value{Number: 72})}, []string{"o1"}},
		{"quantity gt", O, []dsn.Clause{cl("value-quantity", dsn.ParamQuantity, "", dsn.Value{Prefix: "gt", Number: 100})}, []string{"o2"}},
		{"quantity le", O, []dsn.Clause{cl("value-quantity", dsn.ParamQuantity, "", dsn.Value{Prefix: "le", Number: 72})}, []string{"o1"}},
		{"quantity ||unit", O, []dsn.Clause{cl("value-quantity", dsn.ParamQuantity, "", dsn.Value{Number: 120, Code: "mmHg"})}, []string{"o2"}},
		{"quantity|system|code", O, []dsn.Clause{cl("value-quantity", dsn.ParamQuantity, "", dsn.Value{Number: 72, System: ucum, Code: "/min"})}, []string{"o1"}},
		{"quantity other system", O, []dsn.Clause{cl("value-quantity", dsn.ParamQuantity, "", dsn.Value{Number: 72, System: "urn:x", Code: "/min"})}, nil},
		{"number eq", O, []dsn.Clause{cl("probability", dsn.ParamNumber, "", dsn.Value{Number: 0.5})}, []string{"o1"}},
		{"number ge", O, []dsn.Clause{cl("probability", dsn.ParamNumber, "", dsn.Value{Prefix: "ge", Number: 0.6})}, []string{"o2"}},
		{"number lt", O, []dsn.Clause{cl("probability", dsn.ParamNumber, "", dsn.Value{Prefix: "lt", Number: 0.8})}, []string{"o1"}},
		{"number ne", O, []dsn.Clause{cl("probability", dsn.ParamNumber, "", dsn.Value{Prefix: "ne", Number: 0.8})}, []string{"o1"}},
		{"uri", O, []dsn.Clause{cl("url", dsn.ParamURI, "", dsn.Value{Text: "http://example.org/b"})}, []string{"o2"}},
		{"uri no prefix match", O, []dsn.Clause{cl("url", dsn.ParamURI, "", dsn.Value{Text: "http://example.org"})}, nil},
		{"type only", O, nil, []string{"o1", "o2"}},
	}
}

// runSearchCases runs each case with Total and checks the ids and the total.
func runSearchCases(t *testing.T, s dsn.Store, cases []searchCase) {
	t.Helper()
	for _, c := range cases {
		r, err := s.Search(context.Background(), dsn.SearchQuery{Type: c.typ, Clauses: c.cl, Total: true})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, m := range r.Matches {
			got = append(got, m.ID)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !equal(got, want) || r.Total != len(want) {
			t.Errorf("%s: matches %v total %d, want %v", c.name, got, r.Total, want)
		}
	}
}

func testSearch(t *testing.T, open Opener) {
	s := open(t)
	searchData(t, s)
	runSearchCases(t, s, searchCases())
	// Without Total, Total is -1.
	r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Patient"})
	if err != nil || r.Total != -1 || len(r.Matches) != 3 {
		t.Fatalf("search without total: %d matches, total %d, %v", len(r.Matches), r.Total, err)
	}
	checkResource(t, r.Matches[0], res("Patient", "p1", 1, at(0), dsn.Index{}))
}

func testSearchInvalid(t *testing.T, open Opener) {
	s := open(t)
	for _, q := range []dsn.SearchQuery{
		{Type: "Patient", Clauses: []dsn.Clause{cl("x", dsn.ParamComposite, "", dsn.Value{Text: "a"})}},
		{Type: "Patient", Clauses: []dsn.Clause{cl("gender", dsn.ParamToken, "below", dsn.Value{Code: "a"})}},
		{Type: "Patient", Clauses: []dsn.Clause{cl("birthdate", dsn.ParamDate, "", dsn.Value{Prefix: "xx"})}},
		{Type: "Patient", Clauses: []dsn.Clause{cl("gender", dsn.ParamToken, "missing", dsn.Value{Text: "maybe"})}},
		{Type: "Patient", Cursor: "%%%"},
	} {
		_, err := s.Search(context.Background(), q)
		wantKind(t, err, dsn.KindInvalid)
	}
}

// Index rows follow the current version: replaced on update, removed on delete.
func testIndexReplaced(t *testing.T, open Opener) {
	s := open(t)
	find := func(code string) int {
		t.Helper()
		r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Patient", Total: true, Clauses: []dsn.Clause{
			cl("tag", dsn.ParamToken, "", dsn.Value{Code: code, AnySystem: true})}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	put(t, s, res("Patient", "p", 1, at(0), tokenIndex("x", "old")))
	if find("old") != 1 {
		t.Fatal("v1 not found by its token")
	}
	put(t, s, res("Patient", "p", 2, at(1), tokenIndex("x", "new")))
	if find("old") != 0 || find("new") != 1 {
		t.Fatalf("after update: old %d new %d, want 0 and 1", find("old"), find("new"))
	}
	put(t, s, tombstone("Patient", "p", 3, at(2)))
	if find("new") != 0 {
		t.Fatal("a deleted resource is still found")
	}
	r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Patient", Total: true})
	if err != nil || r.Total != 0 {
		t.Fatalf("a deleted resource is still listed: %d, %v", r.Total, err)
	}
}

func testSearchPaging(t *testing.T, open Opener) {
	s := open(t)
	for i := range 7 {
		put(t, s, res("Patient", "p"+string(rune('a'+i)), 1, at(i), tokenIndex("x", "all")))
	}
	put(t, s, res("Practitioner", "dr", 1, at(8), tokenIndex("x", "all")))
	q := dsn.SearchQuery{Type: "Patient", Count: 3, Total: true,
		Clauses: []dsn.Clause{cl("tag", dsn.ParamToken, "", dsn.Value{Code: "all", AnySystem: true})}}
	var got []string
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("search paging does not end")
		}
		r, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 7 || len(r.Matches) > 3 {
			t.Fatalf("page %d: %d matches, total %d", pages, len(r.Matches), r.Total)
		}
		for _, m := range r.Matches {
			got = append(got, m.ID)
		}
		if r.Next == "" {
			break
		}
		q.Cursor = r.Next
	}
	if !equal(got, []string{"pa", "pb", "pc", "pd", "pe", "pf", "pg"}) {
		t.Fatalf("pages = %v", got)
	}
	// An update between pages neither repeats nor skips a resource.
	q.Cursor = ""
	first, _ := s.Search(context.Background(), q)
	put(t, s, res("Patient", "pa", 2, at(20), tokenIndex("x", "all")))
	q.Cursor = first.Next
	second, err := s.Search(context.Background(), q)
	if err != nil || len(second.Matches) != 3 || second.Matches[0].ID != "pd" {
		t.Fatalf("second page after an update: %v %v", second.Matches, err)
	}
}

// Many index rows of one kind (more than one INSERT's worth) and duplicates.
func testManyIndexRows(t *testing.T, open Opener) {
	s := open(t)
	var ix dsn.Index
	for i := range 70 {
		ix.Tokens = append(ix.Tokens, dsn.TokenKey{Param: "tag", System: "urn:many", Code: "c" + strconv.Itoa(i)})
	}
	ix.Tokens = append(ix.Tokens, ix.Tokens[0]) // a duplicate row collapses or is harmless
	put(t, s, res("Patient", "many", 1, at(0), ix))
	for _, code := range []string{"c0", "c33", "c69"} {
		r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Patient", Total: true, Clauses: []dsn.Clause{
			cl("tag", dsn.ParamToken, "", dsn.Value{System: "urn:many", Code: code})}})
		if err != nil || r.Total != 1 || len(r.Matches) != 1 {
			t.Fatalf("tag %s: %d matches, total %d, %v", code, len(r.Matches), r.Total, err)
		}
	}
}
