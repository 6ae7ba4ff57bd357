package storetest

import (
	"context"
	"testing"

	"dsn"
)

// SharedRows: a row that several parameters of one resource have in common
// (family, name and phonetic; patient and subject; code and combo-code) may be
// stored once for all of them (internal/sqlstore/shared.go). Every kind of
// search on each of those parameters must answer as if each had its own row,
// and a parameter must not see a value that only another one has.
func testSharedRows(t *testing.T, open Opener) {
	s := open(t)
	str := func(p, norm, exact string) dsn.StringKey { return dsn.StringKey{Param: p, Norm: norm, Exact: exact} }
	// a: every name part under name and phonetic too; b: "cote" as a name
	// only (no phonetic, no family); c: a family without name rows.
	a := dsn.Index{Strings: []dsn.StringKey{
		str("family", "cote", "Côté"), str("name", "cote", "Côté"), str("phonetic", "cote", "Côté"),
		str("given", "jean", "Jean"), str("name", "jean", "Jean"), str("phonetic", "jean", "Jean"),
		str("name", "dr", "Dr"), str("phonetic", "dr", "Dr"),
		str("address", "laval", "Laval"), str("address-city", "laval", "Laval")}}
	b := dsn.Index{Strings: []dsn.StringKey{str("name", "cote", "Côté"), str("family", "roy", "Roy"), str("name", "roy", "Roy"),
		str("given", "yves", "Yves")}}
	c := dsn.Index{Strings: []dsn.StringKey{str("family", "cote", "Côté")}}
	code := func(p, v string) dsn.TokenKey { return dsn.TokenKey{Param: p, System: loinc, Code: v} }
	o1 := dsn.Index{
		References: []dsn.RefKey{{Param: "subject", Type: "Patient", ID: "a"}, {Param: "patient", Type: "Patient", ID: "a"}},
		Tokens:     []dsn.TokenKey{code("code", "x"), code("combo-code", "x")},
		Quantities: []dsn.QuantityKey{{Param: "value-quantity", Value: 5, System: ucum, Code: "mg"}, {Param: "combo-value-quantity", Value: 5, System: ucum, Code: "mg"}},
	}
	// o2's component (code y, 7 mg) is under component-* and combo-* alike
	qty := func(p string, v float64) dsn.QuantityKey {
		return dsn.QuantityKey{Param: p, Value: v, Low: v, High: v, System: ucum, Code: "mg", Unit: "mg"}
	}
	pair := func(p, c string, v float64) dsn.CompositeKey {
		return dsn.CompositeKey{Param: p, Parts: []dsn.CompositePart{
			{Param: c, Type: dsn.ParamToken, Token: code(c, "y")},
			{Param: "value-quantity", Type: dsn.ParamQuantity, Quantity: qty("value-quantity", v)}}}
	}
	o2 := dsn.Index{
		References: []dsn.RefKey{{Param: "subject", Type: "Group", ID: "g"}},
		Tokens:     []dsn.TokenKey{code("code", "z"), code("combo-code", "z"), code("combo-code", "y"), code("component-code", "y")},
		Quantities: []dsn.QuantityKey{qty("combo-value-quantity", 7), qty("component-value-quantity", 7)},
		Composites: []dsn.CompositeKey{pair("combo-code-value-quantity", "combo-code", 7), pair("component-code-value-quantity", "component-code", 7)},
	}
	// e1's participant is a Practitioner (practitioner too), e2's a PractitionerRole
	e1 := dsn.Index{References: []dsn.RefKey{{Param: "participant", Type: "Practitioner", ID: "d"}, {Param: "practitioner", Type: "Practitioner", ID: "d"}}}
	e2 := dsn.Index{References: []dsn.RefKey{{Param: "participant", Type: "PractitionerRole", ID: "d"}}}
	put(t, s, res("Patient", "a", 1, at(0), a), res("Patient", "b", 1, at(1), b), res("Patient", "c", 1, at(2), c),
		res("Observation", "o1", 1, at(3), o1), res("Observation", "o2", 1, at(4), o2),
		res("Encounter", "e1", 1, at(5), e1), res("Encounter", "e2", 1, at(6), e2))

	S, T, R, Q, C := dsn.ParamString, dsn.ParamToken, dsn.ParamReference, dsn.ParamQuantity, dsn.ParamComposite
	text := func(v string) dsn.Value { return dsn.Value{Text: v} }
	tok := func(v string) dsn.Value { return dsn.Value{System: loinc, Code: v} }
	ref := func(typ, id string) dsn.Value { return dsn.Value{RefType: typ, RefID: id} }
	cote := []dsn.Clause{cl("family", S, "", text("cote"))}
	yq := func(p string) dsn.Clause { // p = y$7 mg
		c := cl(p, C, "", dsn.Value{Components: []dsn.Value{tok("y"), {Number: 7, NumLow: 6.5, NumHigh: 7.5, System: ucum, Code: "mg"}}})
		c.Parts = []dsn.ParamType{T, Q}
		return c
	}
	cases := []searchCase{
		{"family", "Patient", []dsn.Clause{cl("family", S, "", text("cote"))}, []string{"a", "c"}},
		{"name", "Patient", []dsn.Clause{cl("name", S, "", text("cote"))}, []string{"a", "b"}},
		{"name exact", "Patient", []dsn.Clause{cl("name", S, "exact", text("Côté"))}, []string{"a", "b"}},
		{"name contains", "Patient", []dsn.Clause{cl("name", S, "contains", text("ot"))}, []string{"a", "b"}},
		{"name of a prefix", "Patient", []dsn.Clause{cl("name", S, "", text("dr"))}, []string{"a"}},
		{"phonetic", "Patient", []dsn.Clause{cl("phonetic", S, "", text("cote"))}, []string{"a"}},
		{"given", "Patient", []dsn.Clause{cl("given", S, "", text("jean"))}, []string{"a"}},
		{"family, not a name only", "Patient", []dsn.Clause{cl("family", S, "", text("jean"))}, nil},
		{"address", "Patient", []dsn.Clause{cl("address", S, "", text("laval"))}, []string{"a"}},
		{"address-city", "Patient", []dsn.Clause{cl("address-city", S, "", text("laval"))}, []string{"a"}},
		{"name probe", "Patient", []dsn.Clause{cl("given", S, "", text("jean")), cl("name", S, "", text("cote"))}, []string{"a"}},
		{"name :missing=true", "Patient", []dsn.Clause{cl("name", S, "missing", text("true"))}, []string{"c"}},
		{"phonetic :missing=false", "Patient", []dsn.Clause{cl("phonetic", S, "missing", text("false"))}, []string{"a"}},
		{"patient", "Observation", []dsn.Clause{cl("patient", R, "", ref("Patient", "a"))}, []string{"o1"}},
		{"subject", "Observation", []dsn.Clause{cl("subject", R, "", ref("Patient", "a"))}, []string{"o1"}},
		{"subject Group", "Observation", []dsn.Clause{cl("subject", R, "", ref("Group", "g"))}, []string{"o2"}},
		{"patient :missing=true", "Observation", []dsn.Clause{cl("patient", R, "missing", text("true"))}, []string{"o2"}},
		{"practitioner", "Encounter", []dsn.Clause{cl("practitioner", R, "", ref("Practitioner", "d"))}, []string{"e1"}},
		{"participant", "Encounter", []dsn.Clause{cl("participant", R, "", ref("Practitioner", "d"))}, []string{"e1"}},
		{"participant, any type", "Encounter", []dsn.Clause{cl("participant", R, "", dsn.Value{RefID: "d"})}, []string{"e1", "e2"}},
		{"practitioner :missing=true", "Encounter", []dsn.Clause{cl("practitioner", R, "missing", text("true"))}, []string{"e2"}},
		{"code", "Observation", []dsn.Clause{cl("code", T, "", tok("x"))}, []string{"o1"}},
		{"combo-code", "Observation", []dsn.Clause{cl("combo-code", T, "", tok("x"))}, []string{"o1"}},
		{"combo-code of a component", "Observation", []dsn.Clause{cl("combo-code", T, "", tok("y"))}, []string{"o2"}},
		{"code, not a component's", "Observation", []dsn.Clause{cl("code", T, "", tok("y"))}, nil},
		{"combo-code :not", "Observation", []dsn.Clause{cl("combo-code", T, "not", tok("x"))}, []string{"o2"}},
		{"component-code", "Observation", []dsn.Clause{cl("component-code", T, "", tok("y"))}, []string{"o2"}},
		{"component-code, not the code", "Observation", []dsn.Clause{cl("component-code", T, "", tok("z"))}, nil},
		{"component-code :missing=true", "Observation", []dsn.Clause{cl("component-code", T, "missing", text("true"))}, []string{"o1"}},
		{"component-value-quantity", "Observation", []dsn.Clause{cl("component-value-quantity", Q, "", dsn.Value{Prefix: "ge", Number: 5, System: ucum, Code: "mg"})}, []string{"o2"}},
		{"value-quantity, not a component's", "Observation", []dsn.Clause{cl("value-quantity", Q, "", dsn.Value{Number: 7, System: ucum, Code: "mg"})}, nil},
		{"component-code-value-quantity", "Observation", []dsn.Clause{yq("component-code-value-quantity")}, []string{"o2"}},
		{"combo-code-value-quantity", "Observation", []dsn.Clause{yq("combo-code-value-quantity")}, []string{"o2"}},
		{"code-value-quantity, not a component's", "Observation", []dsn.Clause{yq("code-value-quantity")}, nil},
		{"value-quantity", "Observation", []dsn.Clause{cl("value-quantity", Q, "", dsn.Value{Number: 5, System: ucum, Code: "mg"})}, []string{"o1"}},
		{"combo-value-quantity", "Observation", []dsn.Clause{cl("combo-value-quantity", Q, "", dsn.Value{Prefix: "ge", Number: 5, System: ucum, Code: "mg"})}, []string{"o1", "o2"}},
		{"chain patient.family", "Observation", []dsn.Clause{{Param: "patient", Type: R, Chain: &dsn.SearchQuery{Type: "Patient", Clauses: cote}}}, []string{"o1"}},
		{"_has Observation:patient:code", "Patient", []dsn.Clause{{Param: "_has", Type: dsn.ParamSpecial, HasRef: "patient",
			Has: &dsn.SearchQuery{Type: "Observation", Clauses: []dsn.Clause{cl("code", T, "", tok("x"))}}}}, []string{"a"}},
	}
	runSearchCases(t, s, cases)
	// _sort reads the shared rows too: a's given name is only in a shared row.
	r, err := s.Search(context.Background(), dsn.SearchQuery{Type: "Patient",
		Clauses: []dsn.Clause{cl("_id", T, "", dsn.Value{Code: "a"}, dsn.Value{Code: "b"})},
		Sort:    []dsn.SortKey{{Param: "given", Type: S}}})
	if err != nil || len(r.Matches) != 2 || r.Matches[0].ID != "a" {
		t.Errorf("_sort=given: %v %v, want a then b", r.Matches, err)
	}
}
