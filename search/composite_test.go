package search

import (
	"reflect"
	"slices"
	"sync"
	"testing"

	"dsn"
)

// TestExtractComposites: a blood pressure gives one combination per
// component (code with its own value), never code 8480-6 with 80.
func TestExtractComposites(t *testing.T) {
	ix, _, err := Extract(decode(t, observationJSON))
	if err != nil {
		t.Fatal(err)
	}
	type pair struct {
		code  string
		value float64
	}
	var got []pair
	for _, k := range ix.Composites {
		if k.Param != "component-code-value-quantity" {
			continue
		}
		if len(k.Parts) != 2 || k.Parts[0].Type != dsn.ParamToken || k.Parts[1].Type != dsn.ParamQuantity ||
			k.Parts[0].Param != "component-code" || k.Parts[1].Quantity.Param != "component-value-quantity" {
			t.Fatalf("parts %+v", k.Parts)
		}
		got = append(got, pair{k.Parts[0].Token.Code, k.Parts[1].Quantity.Value})
	}
	if want := []pair{{"8480-6", 120}, {"8462-4", 80}}; !slices.Equal(got, want) {
		t.Errorf("component-code-value-quantity = %+v, want %+v", got, want)
	}
}

func TestCombinations(t *testing.T) {
	a := []dsn.CompositePart{{Param: "a1"}, {Param: "a2"}}
	b := []dsn.CompositePart{{Param: "b1"}, {Param: "b2"}, {Param: "b3"}}
	prior := []dsn.CompositeKey{{Param: "earlier"}}
	got := combinations(prior, "c", [][]dsn.CompositePart{a, b})
	if len(got) != 7 || got[0].Param != "earlier" {
		t.Fatalf("combinations dropped or moved the rows before: %+v", got)
	}
	got = got[1:]
	if got[0].Param != "c" || got[0].Parts[0].Param != "a1" || got[0].Parts[1].Param != "b1" || got[5].Parts[0].Param != "a2" || got[5].Parts[1].Param != "b3" {
		t.Errorf("combinations = %+v", got)
	}
	many := make([]dsn.CompositePart, 100)
	if n := len(combinations(nil, "c", [][]dsn.CompositePart{many, many})); n != maxCombinations {
		t.Errorf("%d combinations, want the cap %d", n, maxCombinations)
	}
}

// TestExtractScratchReuse extracts resources of different shapes in turn and
// at once: the evaluators' pooled scratch must not carry one resource's
// values into another's rows.
func TestExtractScratchReuse(t *testing.T) {
	docs := []string{observationJSON, vitalSignJSON, patientJSON}
	want := make([]dsn.Index, len(docs))
	for i, d := range docs {
		ix, _, err := Extract(decode(t, d))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = ix
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 50 {
				i := (g + n) % len(docs)
				ix, _, err := Extract(decode(t, docs[i]))
				if err != nil || !reflect.DeepEqual(ix, want[i]) {
					t.Errorf("extraction %d of doc %d differs after other extractions: %v\n got %+v\nwant %+v", n, i, err, ix, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestScrub: pooled scratch is zeroed (nothing of the last resource kept
// alive) and dropped once it grew past maxScratch.
func TestScrub(t *testing.T) {
	obj := map[string]any{"x": 1}
	small := make([]node, 3, 8)
	small[2] = node{v: obj}
	if got := scrub(small); len(got) != 0 || cap(got) != 8 || got[:3][2].v != nil {
		t.Errorf("small scratch: len %d cap %d, item %v", len(got), cap(got), got[:3][2].v)
	}
	if got := scrub(make([]node, 1, maxScratch+1)); got != nil {
		t.Errorf("scratch past maxScratch kept (cap %d)", cap(got))
	}
}
