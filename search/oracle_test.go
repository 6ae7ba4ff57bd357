package search

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
)

// TestOracleProperties is the property-based test of the oracle: it picks
// random index rows of random official examples, writes search URLs that the
// spec says must (or must not) find that resource, parses them with ParseAll,
// and checks Set.Search — FHIRPath evaluation of every resource — against
// the claim. It also runs every query on a Set reading the fast extraction
// (the hand walker that fills the store's index) and requires the same
// results: the brute force and the index agree.
func TestOracleProperties(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	s := exampleSet(t)
	fast := NewSet(examples()...)
	fast.r = std // memo is per Set: fast and s never share values
	objs := examples()
	rng := rand.New(rand.NewPCG(4, 2))
	var checked, queries int
	for checked < 300 {
		o := objs[rng.IntN(len(objs))]
		ix, _, _ := std.extract(o)
		claims := generate(rng, o, ix, s)
		if len(claims) == 0 {
			continue
		}
		checked++
		for _, c := range claims {
			queries++
			checkClaim(t, s, fast, o, c)
		}
	}
	t.Logf("%d resources, %d generated queries", checked, queries)
}

// claim is a search URL and whether it must find the resource it was built from.
type claim struct {
	typ, query string
	in         bool
	target     fhir.Object // for _has: the resource that must be found instead
}

func checkClaim(t *testing.T, s, fast *Set, o fhir.Object, c claim) {
	t.Helper()
	vals, err := url.ParseQuery(c.query)
	if err != nil {
		t.Fatalf("%s: %v", c.query, err)
	}
	q, issues, err := ParseAll(c.typ, vals, true)
	if err != nil {
		t.Errorf("%s?%s: %v %+v", c.typ, c.query, err, issues)
		return
	}
	got, err := s.Search(q)
	if err != nil {
		t.Errorf("%s?%s: %v", c.typ, c.query, err)
		return
	}
	want := o
	if c.target != nil {
		want = c.target
	}
	k := keys(got)
	key := fhir.ResourceType(want) + "/" + fhir.ID(want)
	if _, in := slices.BinarySearch(k, key); in != c.in {
		t.Errorf("%s?%s: %s found = %v, want %v", c.typ, c.query, key, in, c.in)
	}
	other, err := fast.Search(q)
	if err != nil || !slices.Equal(keys(other), k) {
		t.Errorf("%s?%s: index gives %v (%v), FHIRPath %v", c.typ, c.query, keys(other), err, k)
	}
}

// generate writes claims from one random row of each type present.
func generate(rng *rand.Rand, o fhir.Object, ix dsn.Index, s *Set) []claim {
	rt, id := fhir.ResourceType(o), fhir.ID(o)
	var out []claim
	add := func(query string, in bool) { out = append(out, claim{typ: rt, query: query, in: in}) }
	if len(ix.Tokens) > 0 {
		k := ix.Tokens[rng.IntN(len(ix.Tokens))]
		if k.Code != "" {
			v := esc(k.System) + "|" + esc(k.Code)
			add(k.Param+"="+url.QueryEscape(v), true)
			add(k.Param+":not="+url.QueryEscape(v), false)
			add(k.Param+"="+url.QueryEscape(esc(k.Code)), true)
		}
		if k.Text != "" {
			add(k.Param+":text="+url.QueryEscape(esc(prefix(k.Text, 4))), true)
		}
		add(k.Param+":missing=false", true)
		add(k.Param+":missing=true", false)
	}
	if len(ix.Strings) > 0 {
		k := ix.Strings[rng.IntN(len(ix.Strings))]
		add(k.Param+"="+url.QueryEscape(esc(prefix(k.Exact, 1+rng.IntN(5)))), true)
		add(k.Param+":exact="+url.QueryEscape(esc(k.Exact)), true)
		if r := []rune(k.Exact); len(r) > 3 {
			add(k.Param+":contains="+url.QueryEscape(esc(string(r[1:len(r)-1]))), true)
		}
	}
	if len(ix.Dates) > 0 {
		k := ix.Dates[rng.IntN(len(ix.Dates))]
		first, last := day(k.Low), day(k.High.Add(-time.Microsecond))
		add(k.Param+"=ge"+first, true)
		add(k.Param+"=le"+last, true)
		add(k.Param+"=eb"+first, false)
		add(k.Param+"=sa"+last, false)
		add(k.Param+"=ap"+first, true)
	}
	if len(ix.References) > 0 {
		k := ix.References[rng.IntN(len(ix.References))]
		if k.ID != "" {
			add(k.Param+"="+url.QueryEscape(k.Type+"/"+k.ID), true)
			if target, ok := s.byKey[k.Type+"/"+k.ID]; ok {
				add(k.Param+":"+k.Type+"._id="+url.QueryEscape(k.ID), true)
				out = append(out, claim{typ: k.Type, query: "_has:" + rt + ":" + k.Param + ":_id=" + url.QueryEscape(id), in: true, target: target})
			}
		} else {
			add(k.Param+"="+url.QueryEscape(esc(k.URL)), true)
		}
	}
	for _, q := range pick(rng, ix.Quantities) {
		n := num64(q.Value)
		add(q.Param+"="+n, true)
		add(q.Param+"=ge"+n, true)
		add(q.Param+"=le"+n, true)
		if q.Code != "" && q.System != "" {
			add(q.Param+"="+url.QueryEscape(n+"|"+esc(q.System)+"|"+esc(q.Code)), true)
		}
	}
	for _, k := range pick(rng, ix.Numbers) {
		n := num64(k.Value)
		add(k.Param+"="+n, true)
		add(k.Param+"=ap"+n, true)
		add(k.Param+"=ne"+n, len(ix.Numbers) > 1 && hasOtherNumber(ix.Numbers, k))
	}
	if len(ix.URIs) > 0 {
		k := ix.URIs[rng.IntN(len(ix.URIs))]
		add(k.Param+"="+url.QueryEscape(esc(k.URI)), true)
		add(k.Param+":below="+url.QueryEscape(esc(prefix(k.URI, len(k.URI)/2+1))), true)
		add(k.Param+":above="+url.QueryEscape(esc(k.URI+"/more")), true)
	}
	if len(ix.IdentifierTypes) > 0 {
		k := ix.IdentifierTypes[rng.IntN(len(ix.IdentifierTypes))]
		add(k.Param+":of-type="+url.QueryEscape(esc(k.TypeSystem)+"|"+esc(k.TypeCode)+"|"+esc(k.Value)), true)
	}
	if len(ix.Composites) > 0 {
		k := ix.Composites[rng.IntN(len(ix.Composites))]
		if v, ok := compositeText(k); ok {
			add(k.Param+"="+url.QueryEscape(v), true)
		}
	}
	return out
}

// compositeText writes a composite value that the combination k matches.
func compositeText(k dsn.CompositeKey) (string, bool) {
	var parts []string
	for _, p := range k.Parts {
		switch p.Type {
		case dsn.ParamToken:
			if p.Token.Code == "" {
				return "", false
			}
			parts = append(parts, esc(p.Token.System)+"|"+esc(p.Token.Code))
		case dsn.ParamQuantity:
			parts = append(parts, "ge"+num64(p.Quantity.Value))
		case dsn.ParamDate:
			parts = append(parts, "ge"+day(p.Date.Low))
		case dsn.ParamString:
			parts = append(parts, esc(prefix(p.String.Exact, 3)))
		case dsn.ParamReference:
			if p.Ref.ID == "" {
				return "", false
			}
			parts = append(parts, p.Ref.Type+"/"+p.Ref.ID)
		case dsn.ParamURI:
			parts = append(parts, esc(p.URI.URI))
		default:
			return "", false
		}
	}
	return strings.Join(parts, "$"), true
}

func pick[T any](rng *rand.Rand, rows []T) []T {
	if len(rows) == 0 {
		return nil
	}
	return rows[rng.IntN(len(rows)):][:1]
}

func hasOtherNumber(rows []dsn.NumberKey, k dsn.NumberKey) bool {
	for _, r := range rows {
		if r.Param == k.Param && r.Value != k.Value {
			return true
		}
	}
	return false
}

// esc escapes the characters search.html#escaping reserves.
func esc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`).Replace(s)
}

func prefix(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}

func day(t time.Time) string {
	if t.Year() > 9999 {
		t = DateMax
	}
	return fmt.Sprintf("%04d-%02d-%02d", t.Year(), t.Month(), t.Day())
}

func num64(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
