package search

import (
	"slices"
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
	got := combinations([][]dsn.CompositePart{a, b})
	if len(got) != 6 || got[0][0].Param != "a1" || got[0][1].Param != "b1" || got[5][0].Param != "a2" || got[5][1].Param != "b3" {
		t.Errorf("combinations = %+v", got)
	}
	many := make([]dsn.CompositePart, 100)
	if n := len(combinations([][]dsn.CompositePart{many, many})); n != maxCombinations {
		t.Errorf("%d combinations, want the cap %d", n, maxCombinations)
	}
}
