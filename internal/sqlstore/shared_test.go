package sqlstore

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"dsn"
	"dsn/storetest"
)

func TestShare(t *testing.T) {
	s := func(p, v string) dsn.StringKey { return dsn.StringKey{Param: p, Norm: v, Exact: v} }
	in := dsn.Index{Strings: []dsn.StringKey{
		s("family", "cote"), s("name", "cote"), s("phonetic", "cote"),
		s("given", "jean"), s("name", "jean"), // no phonetic: no group, plain
		s("name", "dr"), s("phonetic", "dr"),
		s("address", "qc"), s("address-state", "qc"), s("address-city", "qc"), // the address row goes to one group
	}, Tokens: []dsn.TokenKey{{Param: "gender", Code: "male"}}}
	orig := slices.Clone(in.Strings)
	out := Share(&in)
	var got []string
	for _, k := range out.Strings {
		got = append(got, k.Param+"="+k.Norm)
	}
	slices.Sort(got)
	want := []string{"address+address-city=qc", "address-state=qc", "family+name+phonetic=cote",
		"given=jean", "name+phonetic=dr", "name=jean"}
	if !slices.Equal(got, want) {
		t.Errorf("shared rows %v, want %v", got, want)
	}
	if !slices.Equal(in.Strings, orig) {
		t.Error("Share changed its argument")
	}
	plain := dsn.Index{Strings: []dsn.StringKey{s("family", "roy"), s("name", "cote")}}
	if Share(&plain) != &plain {
		t.Error("nothing shared: want the same index back")
	}
	if n := ParamNames("name"); !slices.Equal(n, []string{"name", "family+name+phonetic", "given+name+phonetic", "name+phonetic"}) {
		t.Errorf("ParamNames(name) = %v", n)
	}
}

// Share gives exactly the rows shareRef (session 7's grouping) gave: the
// same keys in the same order, the same copy of equal keys renamed, and the
// index itself back when nothing is shared — on the synthetic population,
// on edge cases, and on random indexes drawn from few parameters and values
// so that most keys are equal to others.
func TestShareMatchesReference(t *testing.T) {
	var ixs []dsn.Index
	for _, w := range storetest.SynthWrites(t, 30) {
		ixs = append(ixs, w.Index)
	}
	ixs = append(ixs, shareEdgeCases()...)
	r := rand.New(rand.NewPCG(8, 2026))
	for range 3000 {
		ixs = append(ixs, randomShareIndex(r))
	}
	shared := 0
	for i := range ixs {
		got, want := Share(&ixs[i]), shareRef(&ixs[i])
		if (got == &ixs[i]) != (want == &ixs[i]) {
			t.Fatalf("index %d: returned as is %v, reference %v", i, got == &ixs[i], want == &ixs[i])
		}
		if g, w := fmt.Sprintf("%#v", *got), fmt.Sprintf("%#v", *want); g != w {
			t.Fatalf("index %d %#v:\n got %s\nwant %s", i, ixs[i], g, w)
		}
		if got != &ixs[i] {
			shared++
		}
		// the writers' path: buffers reused from the index before
		WithShared(&ixs[i], func(got *dsn.Index) {
			if g, w := fmt.Sprintf("%#v", *got), fmt.Sprintf("%#v", *want); g != w {
				t.Fatalf("index %d with reused buffers:\n got %s\nwant %s", i, g, w)
			}
		})
	}
	// the comparison is worth something only if many indexes share rows
	if shared < len(ixs)/4 {
		t.Fatalf("only %d of %d indexes share rows", shared, len(ixs))
	}
}

func shareEdgeCases() []dsn.Index {
	s := func(p, v string) dsn.StringKey { return dsn.StringKey{Param: p, Norm: v, Exact: v} }
	tok := func(p, code string) dsn.TokenKey {
		return dsn.TokenKey{Param: p, System: "http://loinc.org", Code: code}
	}
	var ixs []dsn.Index
	// one set of equal keys spread over two groups of equal size: the first
	// group listed wins, then the rest form the other
	ixs = append(ixs, dsn.Index{Strings: []dsn.StringKey{s("address", "qc"), s("address-state", "qc"),
		s("name", "qc"), s("phonetic", "qc")}})
	// duplicate keys under one parameter are both taken by the group
	ixs = append(ixs, dsn.Index{Strings: []dsn.StringKey{s("name", "x"), s("name", "x"), s("phonetic", "x"),
		s("family", "x"), s("given", "x")}})
	// maxShared grouped keys and one more (then nothing is shared)
	for _, n := range []int{maxShared, maxShared + 1} {
		var ix dsn.Index
		for i := range n {
			ix.Tokens = append(ix.Tokens, tok([]string{"code", "combo-code"}[i%2], fmt.Sprint(i/2)))
		}
		ix.Tokens = append(ix.Tokens, tok("status", "final"))
		ixs = append(ixs, ix)
	}
	// only one grouped key; grouped parameters of no complete group
	ixs = append(ixs, dsn.Index{Tokens: []dsn.TokenKey{tok("code", "1"), tok("status", "final")}},
		dsn.Index{Tokens: []dsn.TokenKey{tok("code", "1"), tok("component-code", "1")}})
	// quantities: NaN is never equal, -0 equals 0, Low/High compared
	q := func(p string, v, lo, hi float64) dsn.QuantityKey {
		return dsn.QuantityKey{Param: p, Value: v, Code: "mg", Low: lo, High: hi}
	}
	nan := math.NaN()
	ixs = append(ixs, dsn.Index{Quantities: []dsn.QuantityKey{q("value-quantity", nan, 0, 0),
		q("combo-value-quantity", nan, 0, 0), q("value-quantity", math.Copysign(0, -1), 0, 0),
		q("combo-value-quantity", 0, 0, 0), q("value-quantity", 1, 0.5, 1.5), q("combo-value-quantity", 1, 0.5, 2)}})
	// composites: the columns compared, not the parts (a token and a string
	// part with the same cells are one row, a number and a quantity alike);
	// a key with too many parts is never shared; the first key is the copy
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	tp := dsn.CompositePart{Param: "code", Type: dsn.ParamToken, Token: dsn.TokenKey{System: "s", Code: "c"}}
	sp := dsn.CompositePart{Param: "name", Type: dsn.ParamString, String: dsn.StringKey{Norm: "s", Exact: "c"}}
	qp := dsn.CompositePart{Param: "value-quantity", Type: dsn.ParamQuantity, Quantity: dsn.QuantityKey{Value: 2}}
	np := dsn.CompositePart{Param: "probability", Type: dsn.ParamNumber, Number: dsn.NumberKey{Value: 2}}
	dp := dsn.CompositePart{Param: "date", Type: dsn.ParamDate, Date: dsn.DateKey{Low: day}}
	zp := dsn.CompositePart{Param: "date", Type: dsn.ParamDate}
	c := func(p string, parts ...dsn.CompositePart) dsn.CompositeKey {
		return dsn.CompositeKey{Param: p, Parts: parts}
	}
	ixs = append(ixs, dsn.Index{Composites: []dsn.CompositeKey{
		c("code-value-quantity", tp, qp), c("combo-code-value-quantity", sp, np),
		c("component-code-value-quantity", tp, qp, dp), c("combo-code-value-quantity", tp, qp, dp),
		c("code-value-concept", tp, tp, tp, tp), c("combo-code-value-concept", tp, tp, tp, tp),
		c("component-code-value-concept", tp, zp), c("combo-code-value-concept", tp),
		c("component-code-value-concept", tp, dp), c("combo-code-value-concept", tp, zp),
		c("code-value-concept"), c("combo-code-value-concept"),
	}})
	// references: patient+subject, participant+practitioner
	ref := func(p, id string) dsn.RefKey { return dsn.RefKey{Param: p, Type: "Patient", ID: id} }
	ixs = append(ixs, dsn.Index{References: []dsn.RefKey{ref("subject", "1"), ref("encounter", "1"),
		ref("patient", "1"), ref("practitioner", "1"), ref("participant", "1"), ref("patient", "2")}})
	return append(ixs, dsn.Index{})
}

// randomShareIndex draws keys of every shared kind from a few parameters
// (grouped ones and others) and a few values.
func randomShareIndex(r *rand.Rand) dsn.Index {
	params := append(slices.Collect(maps.Keys(paramBit)), "status", "gender", "identifier")
	slices.Sort(params)
	p := func() string { return params[r.IntN(len(params))] }
	v := func() string { return []string{"a", "b", ""}[r.IntN(3)] }
	f := func() float64 { return []float64{0, 1, math.NaN(), math.Copysign(0, -1)}[r.IntN(4)] }
	part := func() dsn.CompositePart {
		switch r.IntN(4) {
		case 0:
			return dsn.CompositePart{Param: p(), Type: dsn.ParamToken, Token: dsn.TokenKey{System: v(), Code: v()}}
		case 1:
			return dsn.CompositePart{Param: p(), Type: dsn.ParamString, String: dsn.StringKey{Norm: v(), Exact: v()}}
		case 2:
			return dsn.CompositePart{Param: p(), Type: dsn.ParamQuantity, Quantity: dsn.QuantityKey{Value: f(), Code: v()}}
		}
		return dsn.CompositePart{Param: p(), Type: dsn.ParamNumber, Number: dsn.NumberKey{Value: f()}}
	}
	var ix dsn.Index
	n := func() int { return r.IntN(12) }
	for range n() {
		ix.Tokens = append(ix.Tokens, dsn.TokenKey{Param: p(), System: v(), Code: v(), Text: v()})
	}
	for range n() {
		ix.Strings = append(ix.Strings, dsn.StringKey{Param: p(), Norm: v(), Exact: v()})
	}
	for range n() {
		ix.References = append(ix.References, dsn.RefKey{Param: p(), Type: "Patient", ID: v()})
	}
	for range n() {
		ix.Quantities = append(ix.Quantities, dsn.QuantityKey{Param: p(), Value: f(), Code: v(), Low: f()})
	}
	for range n() {
		k := dsn.CompositeKey{Param: p()}
		for range r.IntN(MaxCompositeParts + 2) {
			k.Parts = append(k.Parts, part())
		}
		ix.Composites = append(ix.Composites, k)
	}
	return ix
}
