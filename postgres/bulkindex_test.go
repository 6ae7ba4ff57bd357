package postgres

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/internal/sqlstore"
	"dsn/storetest"
)

// everyIndexKind is a write whose index fills every index table and every
// kind of value: texts, numbers, date bounds (open ends too), absent
// composite parts (NULL numbers and dates) and accented text to normalise.
func everyIndexKind() dsn.Write {
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	return dsn.Write{Resource: dsn.Resource{Type: "Observation", ID: "o1", VersionID: 1, PatientKey: "Patient/p1"},
		Index: dsn.Index{
			Tokens:     []dsn.TokenKey{{Param: "code", System: "http://loinc.org", Code: "8867-4", Text: "Fréquence Cardiaque"}},
			Strings:    []dsn.StringKey{{Param: "name", Norm: "eleve", Exact: "Élevé"}},
			Dates:      []dsn.DateKey{{Param: "date", Low: day, High: day.Add(24*time.Hour - time.Microsecond)}, {Param: "period", Low: day}},
			References: []dsn.RefKey{{Param: "subject", Type: "Patient", ID: "p1"}, {Param: "based-on", URL: "http://x/y"}},
			Quantities: []dsn.QuantityKey{{Param: "value-quantity", Value: 72.5, System: "http://unitsofmeasure.org", Code: "/min", Unit: "bpm"},
				{Param: "context-quantity", Value: -3, Low: -3, High: math.MaxFloat64}},
			Numbers: []dsn.NumberKey{{Param: "probability", Value: 0.25}},
			URIs:    []dsn.URIKey{{Param: "url", URI: "http://example.org/fhir"}},
			Composites: []dsn.CompositeKey{{Param: "code-value-quantity", Parts: []dsn.CompositePart{
				{Param: "code", Type: dsn.ParamToken, Token: dsn.TokenKey{System: "http://loinc.org", Code: "8867-4"}},
				{Param: "value-quantity", Type: dsn.ParamQuantity, Quantity: dsn.QuantityKey{Value: 72.5, Code: "/min"}},
				{Param: "date", Type: dsn.ParamDate, Date: dsn.DateKey{Low: day, High: day}},
			}}, {Param: "combo-number", Parts: []dsn.CompositePart{
				{Param: "n", Type: dsn.ParamNumber, Number: dsn.NumberKey{Value: 7}},
			}}},
			IdentifierTypes: []dsn.IdentifierTypeKey{{Param: "identifier", TypeSystem: "http://terminology.hl7.org/CodeSystem/v2-0203", TypeCode: "MR", Value: "123"}},
			RefIdentifiers:  []dsn.TokenKey{{Param: "subject", System: "urn:oid:1.2", Code: "NAM-1"}},
		}}
}

// The typed encoding of the index rows (encodeIndexRows) writes, table by
// table, exactly the tuples that the rows sqlstore.IndexRows gives, boxed
// and encoded by appendCopyTuple, make: a value of the wrong type, column or
// order, or a row lost or added, fails here.
func TestTypedIndexRowsMatchBoxed(t *testing.T) {
	ws := append([]dsn.Write{everyIndexKind()}, storetest.SynthWrites(t, 8)...)
	ws = append(ws, dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: "gone", VersionID: 2, Deleted: true}})
	rids := make([]int64, len(ws))
	for i := range rids {
		rids[i] = int64(1000 + i)
	}
	for _, n := range []int{1, len(ws)} { // one resource; a batch cut into parts
		want := map[string][]byte{}
		counts := map[string]int{}
		layouts := indexLayouts()
		for i, w := range ws[:n] {
			if w.Deleted {
				continue
			}
			sqlstore.IndexRows(&w.Index, func(table string, vals ...any) {
				row := append([]any{rids[i], w.Type, w.PatientKey}, vals...)
				b, err := appendCopyTuple(want[table], layouts[table].cols, layouts[table].kinds, row)
				if err != nil {
					t.Fatal(err)
				}
				want[table] = b
				counts[table]++
			})
		}
		e, err := encodeIndexRows(ws[:n], rids[:n])
		if err != nil {
			t.Fatal(err)
		}
		for table, l := range e.tables {
			if !bytes.Equal(*l.buf, want[table]) || len(l.spans) != counts[table] {
				t.Errorf("%d writes, %s: %d typed rows (%d bytes), want %d boxed (%d bytes)",
					n, table, len(l.spans), len(*l.buf), counts[table], len(want[table]))
			}
		}
		e.release()
		if len(want) != len(sqlstore.IndexColumns) && n > 1 {
			t.Errorf("the test writes fill %d index tables of %d", len(want), len(sqlstore.IndexColumns))
		}
	}
}

// A value of another type than its column's is refused, not written.
func TestTypedIndexRowsWrongKind(t *testing.T) {
	e := newIndexEncoder()
	defer e.release()
	e.Row("idx_number")
	e.Text("probability")
	e.Text("0.25") // value is double precision
	e.End()
	if e.err == nil || !strings.Contains(e.err.Error(), "column value") {
		t.Errorf("text in a float column: %v", e.err)
	}
	e.err = nil
	e.Row("idx_date")
	e.Text("date")
	e.Int(1)
	e.End() // high missing
	if e.err == nil {
		t.Error("a row short of a value was accepted")
	}
}

// The sort orders tuples by their leading columns as the values compare:
// NULL first, then numbers by value (negative ones first), texts by bytes.
func TestSortSpans(t *testing.T) {
	e := newIndexEncoder()
	defer e.release()
	for _, v := range []float64{3, -1, 2.5, -7} {
		e.Row("idx_number")
		e.Text("p")
		e.Float(v)
		e.End()
	}
	e.sortSpans()
	tb := e.tables["idx_number"]
	var got []float64
	for _, s := range tb.spans {
		v, _ := field((*tb.buf)[s.lead[2]:s.end]) // type, param, value
		got = append(got, math.Float64frombits(binary.BigEndian.Uint64(v)))
	}
	if want := []float64{-7, -1, 2.5, 3}; !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
}

// go test -run X -bench IndexCopiesBundle -benchmem ./postgres: the index
// COPYs of one transaction Bundle's PutAll (26 synthetic resources), made,
// sorted and encoded as each merged write of the HTTP path does.
func BenchmarkIndexCopiesBundle(b *testing.B) {
	ws, rids := storetest.SynthBundle(b)
	b.ReportAllocs()
	for b.Loop() {
		var cs copies
		if err := addIndexCopies(&cs, ws, rids, false); err != nil {
			b.Fatal(err)
		}
		cs.release()
	}
}
