package postgres

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"dsn"
	"dsn/internal/cputime"
	"dsn/storetest"
)

// The hand-written index document (indexDoc) says what encoding/json said
// (indexDocReflect, the code it replaced): the same values once decoded,
// the same kinds, for the synthetic population's indexes and for strings and
// numbers at the edges of JSON (escapes, invalid UTF-8, exponents, the
// open ends of date ranges). PostgreSQL reads the document as jsonb, so only
// the values must agree, not the bytes.
func TestIndexDocMatchesEncodingJSON(t *testing.T) {
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	odd := []string{"", `quote " backslash \ slash /`, "tab\tnew\nline\r\x00\x1f", "<html> & </html>",
		"é ü 中文 🎉", "bad \xff utf-8 \xc3", "\u2028\u2029"}
	nums := []float64{0, math.Copysign(0, -1), 1.5, -2.25, 1e21, 1e20, 1e-7, 123456789.123, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 0.1, 1.0 / 3}
	var edge dsn.Index
	for i, s := range odd {
		n := nums[i%len(nums)]
		edge.Tokens = append(edge.Tokens, dsn.TokenKey{Param: "code", System: s, Code: s, Text: s})
		edge.Strings = append(edge.Strings, dsn.StringKey{Param: "name", Norm: s, Exact: s})
		edge.References = append(edge.References, dsn.RefKey{Param: "subject", Type: "Patient", ID: s, URL: s})
		edge.URIs = append(edge.URIs, dsn.URIKey{Param: "url", URI: s})
		edge.IdentifierTypes = append(edge.IdentifierTypes, dsn.IdentifierTypeKey{Param: "identifier", TypeSystem: s, TypeCode: s, Value: s})
		edge.RefIdentifiers = append(edge.RefIdentifiers, dsn.TokenKey{Param: "subject", System: s, Code: s})
		edge.Numbers = append(edge.Numbers, dsn.NumberKey{Param: "probability", Value: n})
		edge.Quantities = append(edge.Quantities, dsn.QuantityKey{Param: "value-quantity", Value: n, System: s, Code: s, Unit: s})
	}
	for _, n := range nums {
		edge.Numbers = append(edge.Numbers, dsn.NumberKey{Param: "n", Value: n})
		edge.Quantities = append(edge.Quantities, dsn.QuantityKey{Param: "q", Value: n, Low: n - 1, High: n})
	}
	edge.Dates = []dsn.DateKey{{Param: "date", Low: day, High: day.Add(24 * time.Hour)}, {Param: "date"},
		{Param: "onset", Low: day}}
	part := []dsn.CompositePart{
		{Type: dsn.ParamToken, Token: dsn.TokenKey{System: "http://loinc.org", Code: odd[1]}},
		{Type: dsn.ParamQuantity, Quantity: dsn.QuantityKey{Value: 1e-7, Code: "mg"}},
		{Type: dsn.ParamDate, Date: dsn.DateKey{Low: day}},
	}
	// a composite with too many parts has no row, first, between and last
	many := dsn.CompositeKey{Param: "too-many", Parts: make([]dsn.CompositePart, 9)}
	edge.Composites = []dsn.CompositeKey{many, {Param: "code-value-quantity", Parts: part}, many,
		{Param: "code-value-date", Parts: part[:1]}, many}
	onlyMany := dsn.Index{Composites: []dsn.CompositeKey{many}}
	ixs := []dsn.Index{{}, edge, onlyMany}
	for _, w := range storetest.SynthWrites(t, 5) {
		ixs = append(ixs, w.Index)
	}
	for i := range ixs {
		got, gotKinds, err := indexDoc(&ixs[i])
		if err != nil {
			t.Fatalf("index %d: %v", i, err)
		}
		want, wantKinds, err := indexDocReflect(&ixs[i])
		if err != nil {
			t.Fatalf("index %d, encoding/json: %v", i, err)
		}
		var g, w any
		if err := json.Unmarshal([]byte(got), &g); err != nil {
			t.Fatalf("index %d: invalid JSON %s: %v", i, got, err)
		}
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) || gotKinds != wantKinds {
			t.Fatalf("index %d:\n got %s (%s)\nwant %s (%s)", i, got, gotKinds, want, wantKinds)
		}
	}
	bad := dsn.Index{Numbers: []dsn.NumberKey{{Param: "n", Value: math.NaN()}}}
	if _, _, err := indexDoc(&bad); err == nil {
		t.Fatal("NaN encoded")
	}
}

// go test -run X -bench IndexDoc -cpu 1 ./postgres: the index document of the
// synthetic population's resources, one resource per op, by hand and by
// encoding/json.
func BenchmarkIndexDoc(b *testing.B)        { benchIndexDoc(b, indexDoc) }
func BenchmarkIndexDocReflect(b *testing.B) { benchIndexDoc(b, indexDocReflect) }

func benchIndexDoc(b *testing.B, doc func(*dsn.Index) (string, string, error)) {
	ws := storetest.SynthWrites(b, 20)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := doc(&ws[i%len(ws)].Index); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU, not wall time: the machine is shared
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}
