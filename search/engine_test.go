package search

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"dsn"
	"dsn/fhir"
)

// TestWalkerAgreesWithEngine extracts every official example twice, through
// the hand walker (fast path) and with every expression evaluated by the
// FHIRPath engine: both must give the same rows (as sets: FHIRPath's union
// removes duplicates that the walker keeps for some types).
func TestWalkerAgreesWithEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	files, _ := filepath.Glob(filepath.Join(examplesDir(), "*-*.json"))
	if len(files) == 0 {
		t.Skip("R4 examples package not found; run scripts/fhir-package")
	}
	eng := &registry{params: fhirParams, compartment: fhirCompartment, model: r4Model{}, engineOnly: true}
	var n, rows, diffs int
	for _, f := range files {
		obj := readExample(t, f)
		if obj == nil {
			continue
		}
		a, ka, _ := std.extract(obj)
		b, kb, _ := eng.extract(obj)
		n++
		ra, rb := rowSet(a), rowSet(b)
		rows += len(ra)
		if ka != kb {
			t.Errorf("%s: patient key walker %q, engine %q", filepath.Base(f), ka, kb)
		}
		for _, d := range symDiff(ra, rb) {
			if diffs++; diffs <= 20 {
				t.Errorf("%s: %s", filepath.Base(f), d)
			}
		}
	}
	t.Logf("%d examples, %d distinct rows, %d differences", n, rows, diffs)
}

func readExample(t testing.TB, f string) fhir.Object {
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := fhir.Decode(b)
	if err != nil || fhir.SearchParams(fhir.ResourceType(obj)) == nil {
		return nil
	}
	return obj
}

// rowSet lists the distinct rows of an index as text, sorted.
func rowSet(ix dsn.Index) []string {
	var out []string
	add := func(kind string, v any) { out = append(out, fmt.Sprintf("%s %+v", kind, v)) }
	for _, k := range ix.Tokens {
		add("token", k)
	}
	for _, k := range ix.Strings {
		add("string", k)
	}
	for _, k := range ix.Dates {
		add("date", k)
	}
	for _, k := range ix.References {
		add("ref", k)
	}
	for _, k := range ix.Quantities {
		add("quantity", k)
	}
	for _, k := range ix.Numbers {
		add("number", k)
	}
	for _, k := range ix.URIs {
		add("uri", k)
	}
	for _, k := range ix.IdentifierTypes {
		add("idtype", k)
	}
	for _, k := range ix.Composites {
		add("composite", k)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func symDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, "walker only: "+x)
		}
	}
	for _, x := range b {
		if _, found := slices.BinarySearch(a, x); !found {
			out = append(out, "engine only: "+x)
		}
	}
	return out
}
