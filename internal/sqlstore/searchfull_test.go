package sqlstore

import (
	"strconv"
	"testing"
	"time"

	"dsn"
	"dsn/search"
)

// goldenSets are the ValueSet expansions the :in golden queries read.
var goldenSets = map[string]search.Expansion{
	"http://example.org/vs": {Codes: []search.Code{{System: "http://loinc.org", Code: "8480-6"}, {System: "http://loinc.org", Code: "8462-4"},
		{System: "urn:other", Code: "x"}}, Systems: []search.WholeSystem{{System: "urn:whole", Except: []string{"no"}}}},
	"http://example.org/empty": {},
	"http://example.org/big":   {Codes: bigCodes(40)},
}

func bigCodes(n int) []search.Code {
	var out []search.Code
	for i := range n {
		out = append(out, search.Code{System: "urn:big", Code: "c" + strconv.Itoa(i)})
	}
	return out
}

// fullQueries cover what complete search adds: number precision,
// composites, :of-type, :identifier, uri :above/:below, :in/:not-in, chains,
// _has, _sort with its keyset cursor, and hostile values (bound, never spliced).
func fullQueries() map[string]dsn.SearchQuery {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := func(param string, typ dsn.ParamType, mod string, vs ...dsn.Value) dsn.Clause {
		return dsn.Clause{Param: param, Type: typ, Modifier: mod, Values: vs}
	}
	q := func(typ string, cls ...dsn.Clause) dsn.SearchQuery { return dsn.SearchQuery{Type: typ, Clauses: cls} }
	tok := func(sys, code string) dsn.Value { return dsn.Value{System: sys, Code: code} }
	comp := func(param string, parts []dsn.ParamType, vs ...dsn.Value) dsn.Clause {
		cl := c(param, dsn.ParamComposite, "", vs...)
		cl.Parts = parts
		return cl
	}
	T, Q, D, S, N, R := dsn.ParamToken, dsn.ParamQuantity, dsn.ParamDate, dsn.ParamString, dsn.ParamNumber, dsn.ParamReference
	chain := c("subject", R, "")
	chain.Values = nil
	chain.Chain = &dsn.SearchQuery{Type: "Patient", Clauses: []dsn.Clause{c("name", S, "", dsn.Value{Text: "gagnon"})}}
	chain2 := c("subject", R, "")
	chain2.Values = nil
	gp := c("general-practitioner", R, "")
	gp.Values = nil
	gp.Chain = &dsn.SearchQuery{Type: "Practitioner", Clauses: []dsn.Clause{c("family", S, "", dsn.Value{Text: "roy"})}}
	chain2.Chain = &dsn.SearchQuery{Type: "Patient", Clauses: []dsn.Clause{gp}}
	has := dsn.Clause{Param: "_has", Type: dsn.ParamSpecial, HasRef: "patient",
		Has: &dsn.SearchQuery{Type: "Observation", Clauses: []dsn.Clause{c("code", T, "", tok("http://loinc.org", "8480-6"))}}}
	inner := dsn.Clause{Param: "_has", Type: dsn.ParamSpecial, HasRef: "encounter",
		Has: &dsn.SearchQuery{Type: "Observation", Clauses: []dsn.Clause{c("status", T, "", dsn.Value{Code: "final", AnySystem: true})}}}
	hasNested := dsn.Clause{Param: "_has", Type: dsn.ParamSpecial, HasRef: "patient",
		Has: &dsn.SearchQuery{Type: "Encounter", Clauses: []dsn.Clause{inner}}}
	sorted := q("Observation", c("patient", R, "", dsn.Value{RefType: "Patient", RefID: "p1"}), c("code", T, "", tok("http://loinc.org", "8480-6")))
	sorted.Sort = []dsn.SortKey{{Param: "date", Desc: true, Type: D}}
	sortedNext := sorted
	sortedNext.Cursor = EncodeSortCursor(sorted.Sort, []any{int64(1767225600000000)}, 42)
	multi := q("Patient")
	multi.Sort = []dsn.SortKey{{Param: "family", Type: S}, {Param: "birthdate", Desc: true, Type: D},
		{Param: "_lastUpdated", Type: D}, {Param: "_id", Type: T}}
	multi.Cursor = EncodeSortCursor(multi.Sort, []any{"gagnon", nil, int64(1767225600000000), "p9"}, 7)
	multi.Count = 20
	refSort := q("Observation")
	refSort.Sort = []dsn.SortKey{{Param: "subject", Type: R}, {Param: "value-quantity", Desc: true, Type: Q}}
	nasty := q("Patient", c("name", S, "", dsn.Value{Text: "'; DROP TABLE resource; --"}),
		c("identifier", T, "", tok("urn:x' OR '1'='1", `") OR 1=1 --`)),
		c("family", S, "contains", dsn.Value{Text: `%_\'`}))
	return map[string]dsn.SearchQuery{
		"number_precision": q("RiskAssessment", c("probability", N, "", dsn.Value{Number: 100, NumLow: 99.5, NumHigh: 100.5},
			dsn.Value{Prefix: "ne", Number: 0.5, NumLow: 0.45, NumHigh: 0.55}, dsn.Value{Prefix: "ge", Number: 3})),
		"quantity_precision": q("Observation", c("value-quantity", Q, "", dsn.Value{Number: 5.4, NumLow: 5.35, NumHigh: 5.45, System: "http://unitsofmeasure.org", Code: "mg"})),
		"composite_quantity": q("Observation", comp("code-value-quantity", []dsn.ParamType{T, Q},
			dsn.Value{Components: []dsn.Value{tok("http://loinc.org", "8480-6"), {Prefix: "gt", Number: 140, NumLow: 139.5, NumHigh: 140.5}}})),
		"composite_kinds": q("Observation",
			comp("code-value-concept", []dsn.ParamType{T, T}, dsn.Value{Components: []dsn.Value{{Code: "a", AnySystem: true}, tok("urn:s", "b")}}),
			comp("code-value-date", []dsn.ParamType{T, D}, dsn.Value{Components: []dsn.Value{{Code: "a", AnySystem: true}, {Prefix: "ge", Low: day, High: day.AddDate(0, 0, 1)}}}),
			comp("code-value-string", []dsn.ParamType{T, S}, dsn.Value{Components: []dsn.Value{{Code: "a", AnySystem: true}, {Text: "élevé"}}})),
		"composite_three": q("MolecularSequence", comp("chromosome-window-coordinate", []dsn.ParamType{T, N, N},
			dsn.Value{Components: []dsn.Value{{Code: "1", AnySystem: true}, {Prefix: "gt", Number: 10}, {Prefix: "lt", Number: 20}}})),
		"composite_reference": q("DocumentReference", comp("relatesto-relation", []dsn.ParamType{R, T},
			dsn.Value{Components: []dsn.Value{{RefType: "DocumentReference", RefID: "d1"}, {Code: "replaces", AnySystem: true}}})),
		"composite_missing": q("Observation", c("code-value-quantity", dsn.ParamComposite, "missing", dsn.Value{Text: "true"})),
		"of_type":           q("Patient", c("identifier", T, "of-type", dsn.Value{System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "MR", Text: "12345"})),
		"identifier":        q("Observation", c("subject", R, "identifier", tok("https://www.ramq.gouv.qc.ca/nam", "GAGE80010112"), dsn.Value{Code: "x", AnySystem: true})),
		"uri_below":         q("ValueSet", c("url", dsn.ParamURI, "below", dsn.Value{Text: "http://hl7.org/fhir/ValueSet/"})),
		"uri_above":         q("ValueSet", c("url", dsn.ParamURI, "above", dsn.Value{Text: "http://a.b/é/c"})),
		"token_in":          q("Observation", c("code", T, "in", dsn.Value{Text: "http://example.org/vs"})),
		"token_in_big":      q("Observation", c("code", T, "in", dsn.Value{Text: "http://example.org/big"})),
		"token_not_in":      q("Observation", c("code", T, "not-in", dsn.Value{Text: "http://example.org/empty"}), c("status", T, "", dsn.Value{Code: "final", AnySystem: true})),
		"chain":             q("Observation", chain),
		"chain_not_driver":  q("Observation", chain, c("code", T, "", tok("http://loinc.org", "8480-6"))),
		"chain_two_levels":  q("Observation", chain2),
		"has":               q("Patient", has),
		"has_not_driver":    q("Patient", has, c("gender", T, "", dsn.Value{Code: "female", AnySystem: true})),
		"has_nested":        q("Patient", hasNested),
		"sort_date_desc":    sorted,
		"sort_next_page":    sortedNext,
		"sort_multi_cursor": multi,
		"sort_ref_quantity": refSort,
		"injection":         nasty,
		"demographics": q("Patient", c("birthdate", D, "", dsn.Value{Low: day, High: day.AddDate(0, 0, 1)}),
			c("family", S, "", dsn.Value{Text: "tremblay"}), c("given", S, "", dsn.Value{Text: "marie"})),
	}
}

// A hostile value never reaches the SQL text: it is bound.
func TestValuesAreBound(t *testing.T) {
	for _, d := range dialects {
		p, err := TranslateWith(d, fullQueries()["injection"], nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []Statement{p.Page, p.Count} {
			for _, bad := range []string{"DROP", "1=1", "'1'", `%_`} {
				if contains(st.SQL, bad) {
					t.Fatalf("%q spliced into the SQL:\n%s", bad, st.SQL)
				}
			}
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Cursors of sorted pages are checked: another sort, a tampered value or
// plain garbage are refused.
func TestSortCursorChecked(t *testing.T) {
	q := fullQueries()["sort_date_desc"]
	for _, c := range []string{
		EncodeSortCursor([]dsn.SortKey{{Param: "date", Type: dsn.ParamDate}}, []any{int64(1)}, 1), // ascending: another sort
		EncodeSortCursor(q.Sort, []any{"text"}, 1),                                                // a text for a date
		EncodeCursor('s', 5), "garbage", "",
	} {
		q.Cursor = c
		_, err := Translate(SQLite, q)
		if c == "" {
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("cursor %q: %v, want KindInvalid", c, err)
		}
	}
}
