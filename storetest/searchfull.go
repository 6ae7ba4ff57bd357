package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"dsn"
)

const v20203 = "http://terminology.hl7.org/CodeSystem/v2-0203"

// fullData adds to searchData the rows complete search reads: composites,
// identifier types, Reference.identifier, a Range, and a ValueSet.
func fullData(t *testing.T, s dsn.Store) {
	searchData(t, s)
	tokPart := func(param, sys, code string) dsn.CompositePart {
		return dsn.CompositePart{Param: param, Type: dsn.ParamToken, Token: dsn.TokenKey{Param: param, System: sys, Code: code}}
	}
	qtyPart := func(v float64, unit string) dsn.CompositePart {
		return dsn.CompositePart{Param: "value-quantity", Type: dsn.ParamQuantity,
			Quantity: dsn.QuantityKey{Param: "value-quantity", Value: v, Low: v, High: v, System: ucum, Code: unit, Unit: unit}}
	}
	datePart := func(lo time.Time) dsn.CompositePart {
		return dsn.CompositePart{Param: "value-date", Type: dsn.ParamDate, Date: dsn.DateKey{Param: "value-date", Low: lo, High: lo.AddDate(0, 0, 1)}}
	}
	o3 := dsn.Index{
		References: []dsn.RefKey{{Param: "subject", Type: "Patient", ID: "p1"}},
		RefIdentifiers: []dsn.TokenKey{{Param: "subject", System: ramq, Code: "GAGE80010112"},
			{Param: "performer", Code: "LOCAL-9"}},
		Tokens: []dsn.TokenKey{{Param: "code", System: loinc, Code: "85354-9"}, {Param: "component-code", System: loinc, Code: "8480-6"},
			{Param: "component-code", System: loinc, Code: "8462-4"}, {Param: "status", Code: "final"}},
		Composites: []dsn.CompositeKey{
			{Param: "component-code-value-quantity", Parts: []dsn.CompositePart{tokPart("component-code", loinc, "8480-6"), qtyPart(150, "mm[Hg]")}},
			{Param: "component-code-value-quantity", Parts: []dsn.CompositePart{tokPart("component-code", loinc, "8462-4"), qtyPart(95, "mm[Hg]")}},
			{Param: "code-value-date", Parts: []dsn.CompositePart{tokPart("code", loinc, "85354-9"), datePart(time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC))}},
		},
		Quantities: []dsn.QuantityKey{{Param: "value-quantity", Value: 10, Low: 10, High: 20, System: ucum, Code: "mg", Unit: "mg"}}, // a Range
		Numbers:    []dsn.NumberKey{{Param: "probability", Value: 100}},
		URIs:       []dsn.URIKey{{Param: "url", URI: "http://example.org/a/b"}},
	}
	w3 := res("Observation", "o3", 1, at(5), o3)
	w3.PatientKey = "p1"
	p4 := dsn.Index{
		Tokens: []dsn.TokenKey{{Param: "identifier", System: "urn:mr", Code: "12345"}, {Param: "gender", System: genderSys, Code: "other"}},
		IdentifierTypes: []dsn.IdentifierTypeKey{{Param: "identifier", TypeSystem: v20203, TypeCode: "MR", Value: "12345"},
			{Param: "identifier", TypeSystem: v20203, TypeCode: "DL", Value: "D-1"}},
		References: []dsn.RefKey{{Param: "general-practitioner", Type: "Practitioner", ID: "dr"}},
	}
	w4 := res("Patient", "p4", 1, at(6), p4)
	w4.PatientKey = "p4"
	dr := res("Practitioner", "dr", 1, at(7), dsn.Index{Strings: []dsn.StringKey{{Param: "name", Norm: "cote", Exact: "Côté"}}})
	o5 := dsn.Index{References: []dsn.RefKey{{Param: "subject", Type: "Patient", ID: "p4"}}, Tokens: []dsn.TokenKey{{Param: "code", System: "urn:local", Code: "zz"}}}
	w5 := res("Observation", "o5", 1, at(8), o5)
	w5.PatientKey = "p4"
	vs := body("ValueSet", "vs", 1, at(9), dsn.Index{URIs: []dsn.URIKey{{Param: "url", URI: "http://example.org/vs/vitals"}}},
		`"url":"http://example.org/vs/vitals","compose":{"include":[{"system":"http://loinc.org","concept":[{"code":"8867-4"},{"code":"8480-6"}]},{"system":"urn:local"}]}`)
	vsBad := body("ValueSet", "vsf", 1, at(10), dsn.Index{URIs: []dsn.URIKey{{Param: "url", URI: "http://example.org/vs/filter"}}},
		`"url":"http://example.org/vs/filter","compose":{"include":[{"system":"http://loinc.org","filter":[{"property":"x","op":"=","value":"y"}]}]}`)
	put(t, s, w3, w4, dr, w5, vs, vsBad)
}

// body is res with extra JSON members in the stored body.
func body(typ, id string, version int64, when time.Time, ix dsn.Index, members string) dsn.Write {
	w := res(typ, id, version, when, ix)
	w.Body = []byte(fmt.Sprintf(`{"resourceType":%q,"id":%q,"meta":{"versionId":"%d","lastUpdated":%q},%s}`,
		typ, id, version, dsn.FormatInstant(when), members))
	return w
}

func fullCases() []searchCase {
	P, O := "Patient", "Observation"
	T, N, Q, R, C := dsn.ParamToken, dsn.ParamNumber, dsn.ParamQuantity, dsn.ParamReference, dsn.ParamComposite
	tq := []dsn.ParamType{T, Q}
	comp := func(param string, parts []dsn.ParamType, vs ...dsn.Value) dsn.Clause {
		c := cl(param, C, "", vs...)
		c.Parts = parts
		return c
	}
	code := func(sys, c string) dsn.Value { return dsn.Value{System: sys, Code: c} }
	num := func(prefix string, n, lo, hi float64) dsn.Value {
		return dsn.Value{Prefix: prefix, Number: n, NumLow: lo, NumHigh: hi}
	}
	chain := func(param, typ string, cs ...dsn.Clause) dsn.Clause {
		return dsn.Clause{Param: param, Type: R, Chain: &dsn.SearchQuery{Type: typ, Clauses: cs}}
	}
	has := func(typ, ref string, cs ...dsn.Clause) dsn.Clause {
		return dsn.Clause{Param: "_has", Type: dsn.ParamSpecial, HasRef: ref, Has: &dsn.SearchQuery{Type: typ, Clauses: cs}}
	}
	feb3l, feb3h := day(2026, 2, 3)
	return []searchCase{
		{"number eq precision", O, []dsn.Clause{cl("probability", N, "", num("", 0.5, 0.45, 0.55))}, []string{"o1"}},
		{"number eq 1e2", O, []dsn.Clause{cl("probability", N, "", num("", 100, 50, 150))}, []string{"o3"}},
		{"number eq 0.50 misses 0.5?", O, []dsn.Clause{cl("probability", N, "", num("", 0.51, 0.505, 0.515))}, nil},
		{"number ne precision", O, []dsn.Clause{cl("probability", N, "", num("ne", 0.8, 0.75, 0.85))}, []string{"o1", "o3"}},
		{"quantity eq precision", O, []dsn.Clause{cl("value-quantity", Q, "", num("", 72.2, 72.15, 72.25))}, nil},
		{"quantity eq 7e1", O, []dsn.Clause{cl("value-quantity", Q, "", num("", 70, 65, 75))}, []string{"o1"}},
		{"quantity range eq", O, []dsn.Clause{cl("value-quantity", Q, "", num("", 15, 14.5, 15.5))}, []string{"o3"}},
		{"quantity range gt", O, []dsn.Clause{cl("value-quantity", Q, "", num("gt", 19, 0, 0))}, []string{"o1", "o2", "o3"}},
		{"quantity range lt", O, []dsn.Clause{cl("value-quantity", Q, "", num("lt", 11, 0, 0))}, []string{"o3"}},
		{"composite code$gt", O, []dsn.Clause{comp("component-code-value-quantity", tq,
			dsn.Value{Components: []dsn.Value{code(loinc, "8480-6"), num("gt", 140, 139.5, 140.5)}})}, []string{"o3"}},
		{"composite pairs stay pairs", O, []dsn.Clause{comp("component-code-value-quantity", tq,
			dsn.Value{Components: []dsn.Value{code(loinc, "8462-4"), num("gt", 140, 139.5, 140.5)}})}, nil},
		{"composite OR", O, []dsn.Clause{comp("component-code-value-quantity", tq,
			dsn.Value{Components: []dsn.Value{code(loinc, "8462-4"), num("gt", 140, 0, 0)}},
			dsn.Value{Components: []dsn.Value{{Code: "8462-4", AnySystem: true}, num("", 95, 94.5, 95.5)}})}, []string{"o3"}},
		{"composite date", O, []dsn.Clause{comp("code-value-date", []dsn.ParamType{T, dsn.ParamDate},
			dsn.Value{Components: []dsn.Value{code(loinc, "85354-9"), dv("", feb3l, feb3h)}})}, []string{"o3"}},
		{"composite :missing", O, []dsn.Clause{cl("component-code-value-quantity", C, "missing", dsn.Value{Text: "true"})}, []string{"o1", "o2", "o5"}},
		{":of-type", P, []dsn.Clause{cl("identifier", T, "of-type", dsn.Value{System: v20203, Code: "MR", Text: "12345"})}, []string{"p4"}},
		{":of-type wrong type", P, []dsn.Clause{cl("identifier", T, "of-type", dsn.Value{System: v20203, Code: "DL", Text: "12345"})}, nil},
		{":of-type any system", P, []dsn.Clause{cl("identifier", T, "of-type", dsn.Value{Code: "DL", Text: "D-1"})}, []string{"p4"}},
		{":identifier system|value", O, []dsn.Clause{cl("subject", R, "identifier", code(ramq, "GAGE80010112"))}, []string{"o3"}},
		{":identifier value", O, []dsn.Clause{cl("subject", R, "identifier", dsn.Value{Code: "GAGE80010112", AnySystem: true})}, []string{"o3"}},
		{":identifier |value", O, []dsn.Clause{cl("performer", R, "identifier", dsn.Value{Code: "LOCAL-9"})}, []string{"o3"}},
		{":identifier other param", O, []dsn.Clause{cl("performer", R, "identifier", dsn.Value{Code: "GAGE80010112", AnySystem: true})}, nil},
		{"uri :below", O, []dsn.Clause{cl("url", dsn.ParamURI, "below", dsn.Value{Text: "http://example.org/a"})}, []string{"o1", "o3"}},
		{"uri :above", O, []dsn.Clause{cl("url", dsn.ParamURI, "above", dsn.Value{Text: "http://example.org/a/b/c"})}, []string{"o1", "o3"}},
		{"uri :above exact", O, []dsn.Clause{cl("url", dsn.ParamURI, "above", dsn.Value{Text: "http://example.org/b"})}, []string{"o2"}},
		{":in", O, []dsn.Clause{cl("code", T, "in", dsn.Value{Text: "http://example.org/vs/vitals"})}, []string{"o1", "o2", "o5"}},
		{":not-in", O, []dsn.Clause{cl("code", T, "not-in", dsn.Value{Text: "http://example.org/vs/vitals"})}, []string{"o3"}},
		{"chain", O, []dsn.Clause{chain("subject", P, cl("name", dsn.ParamString, "", dsn.Value{Text: "gagnon"}))}, []string{"o1", "o3"}},
		{"chain and clause", O, []dsn.Clause{chain("subject", P, cl("gender", T, "", dsn.Value{Code: "male", AnySystem: true})),
			cl("code", T, "", dsn.Value{Code: "8480-6", AnySystem: true})}, []string{"o2"}},
		{"chain two levels", O, []dsn.Clause{chain("subject", P, chain("general-practitioner", "Practitioner",
			cl("name", dsn.ParamString, "", dsn.Value{Text: "cote"})))}, []string{"o5"}},
		{"chain wrong type", O, []dsn.Clause{chain("subject", "Group", cl("_id", T, "", dsn.Value{Code: "p1"}))}, nil},
		{"_has", P, []dsn.Clause{has(O, "subject", cl("code", T, "", dsn.Value{Code: "8867-4", AnySystem: true}))}, []string{"p1"}},
		{"_has and clause", P, []dsn.Clause{has(O, "subject", cl("code", T, "", dsn.Value{Code: "zz", AnySystem: true})),
			cl("gender", T, "", dsn.Value{Code: "other", AnySystem: true})}, []string{"p4"}},
		{"_has nested", "Practitioner", []dsn.Clause{has(P, "general-practitioner", has(O, "subject",
			cl("code", T, "", dsn.Value{Code: "zz", AnySystem: true})))}, []string{"dr"}},
		{"_has no match", P, []dsn.Clause{has(O, "subject", cl("code", T, "", dsn.Value{Code: "none", AnySystem: true}))}, nil},
	}
}

func testSearchFull(t *testing.T, open Opener) {
	s := open(t)
	fullData(t, s)
	for _, c := range fullCases() {
		r, err := s.Search(context.Background(), dsn.SearchQuery{Type: c.typ, Clauses: c.cl, Total: true})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
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
	// _summary=count answers the total alone; _total=estimate answers a
	// number (PostgreSQL's planner estimate, SQLite's count).
	r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Observation", Summary: "count", Total: true})
	if err != nil || len(r.Matches) != 0 || r.Next != "" || r.Total != 4 {
		t.Errorf("_summary=count: %d matches, total %d, %v", len(r.Matches), r.Total, err)
	}
	r, err = s.Search(context.Background(), dsn.SearchQuery{Type: "Observation", TotalMode: "estimate", Total: true})
	if err != nil || len(r.Matches) != 4 || r.Total < 0 {
		t.Errorf("_total=estimate: %d matches, total %d, %v", len(r.Matches), r.Total, err)
	}
	for name, q := range map[string]dsn.SearchQuery{
		"unknown ValueSet": {Type: "Observation", Clauses: []dsn.Clause{cl("code", dsn.ParamToken, "in", dsn.Value{Text: "http://nowhere/vs"})}},
		"filter ValueSet":  {Type: "Observation", Clauses: []dsn.Clause{cl("code", dsn.ParamToken, "in", dsn.Value{Text: "http://example.org/vs/filter"})}},
		"token :below":     {Type: "Observation", Clauses: []dsn.Clause{cl("code", dsn.ParamToken, "below", dsn.Value{Code: "x"})}},
	} {
		_, err := s.Search(context.Background(), q)
		if dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("%s: %v, want KindInvalid", name, err)
		}
	}
}

// testSearchSort: _sort on each kind of key, several keys, missing values
// last both ways, ties in storage order, and keyset pages of every size
// giving the same order as one page.
func testSearchSort(t *testing.T, open Opener) {
	s := open(t)
	fullData(t, s)
	for _, id := range []string{"t1", "t2", "t3"} { // ties: the same date, in storage order
		lo, hi := day(2020, 5, 5)
		put(t, s, res("Patient", id, 1, at(20), dsn.Index{Dates: []dsn.DateKey{dateKey("birthdate", lo, hi)}}))
	}
	key := func(param string, typ dsn.ParamType, desc bool) dsn.SortKey {
		return dsn.SortKey{Param: param, Type: typ, Desc: desc}
	}
	D, S, T := dsn.ParamDate, dsn.ParamString, dsn.ParamToken
	cases := []struct {
		name string
		typ  string
		sort []dsn.SortKey
		cl   []dsn.Clause
		want []string
	}{
		{"date asc", "Patient", []dsn.SortKey{key("birthdate", D, false)}, nil, []string{"p2", "p1", "p3", "t1", "t2", "t3", "p4"}},
		{"date desc", "Patient", []dsn.SortKey{key("birthdate", D, true)}, nil, []string{"t1", "t2", "t3", "p3", "p1", "p2", "p4"}},
		{"string asc: lowest name", "Patient", []dsn.SortKey{key("name", S, false)}, nil, []string{"p1", "p3", "p2", "p4", "t1", "t2", "t3"}},
		{"string desc: highest name", "Patient", []dsn.SortKey{key("name", S, true)}, nil, []string{"p2", "p1", "p3", "p4", "t1", "t2", "t3"}},
		{"token then -_id", "Patient", []dsn.SortKey{key("gender", T, false), key("_id", T, true)}, nil,
			[]string{"p1", "p2", "p4", "t3", "t2", "t1", "p3"}},
		{"_lastUpdated desc", "Patient", []dsn.SortKey{key("_lastUpdated", D, true), key("_id", T, false)}, nil,
			[]string{"t1", "t2", "t3", "p4", "p3", "p2", "p1"}},
		{"number with clause", "Observation", []dsn.SortKey{key("probability", dsn.ParamNumber, true)},
			[]dsn.Clause{cl("subject", dsn.ParamReference, "", dsn.Value{RefType: "Patient", RefID: "p1"})}, []string{"o3", "o1"}},
		{"quantity, reference", "Observation", []dsn.SortKey{key("value-quantity", dsn.ParamQuantity, false), key("subject", dsn.ParamReference, true)}, nil,
			[]string{"o3", "o1", "o2", "o5"}},
	}
	for _, c := range cases {
		for _, size := range []int{1, 2, 3, 50} {
			q := dsn.SearchQuery{Type: c.typ, Sort: c.sort, Clauses: c.cl, Count: size}
			var got []string
			for pages := 0; ; pages++ {
				if pages > len(c.want)+1 {
					t.Fatalf("%s: paging does not end", c.name)
				}
				r, err := s.Search(context.Background(), q)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				for _, m := range r.Matches {
					got = append(got, m.ID)
				}
				if r.Next == "" {
					break
				}
				q.Cursor = r.Next
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s (pages of %d): %v, want %v", c.name, size, got, c.want)
			}
		}
	}
	// A cursor of another sort is refused.
	r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Patient", Count: 1, Sort: []dsn.SortKey{key("name", S, false)}})
	if err != nil || r.Next == "" {
		t.Fatalf("first page: %v %v", r, err)
	}
	_, err = s.Search(context.Background(), dsn.SearchQuery{Type: "Patient", Count: 1, Cursor: r.Next, Sort: []dsn.SortKey{key("name", S, true)}})
	wantKind(t, err, dsn.KindInvalid)
}
