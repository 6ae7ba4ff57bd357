package mpi

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
)

// MatchRanked prunes candidates that cannot reach the n best: its totals
// must be exactly those of scoring every candidate in full, and Match's
// explanations those of Compare.
func TestMatchRankedIsFullScoring(t *testing.T) {
	g := genPopulation(4000, 11)
	m, _ := NewMatcher(DefaultConfig())
	x := NewIndex(m)
	for _, r := range g.records {
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	rng := rngFor(3)
	pruned := 0
	for i := 0; i < 400; i++ {
		q := g.persons[rng.IntN(len(g.persons))].record(fmt.Sprint("q", i), 1, rng)
		if i%3 == 0 {
			q.NAM = ""
		}
		p := prepare(&q)
		var full []float64
		for _, c := range x.candidates(p, q.ID) {
			full = append(full, m.total(p, &x.recs[c], compareAll(p, &x.recs[c]), x))
		}
		slices.SortFunc(full, func(a, b float64) int { return -cmpFloat(a, b) })
		for _, n := range []int{1, 4, 10, 40} {
			want := full[:min(n, len(full))]
			got := x.MatchRanked(q, n)
			var totals []float64
			for _, c := range got {
				totals = append(totals, c.Result.Total)
				if c.Result.Fields != nil {
					t.Fatal("MatchRanked explained a candidate")
				}
			}
			if !slices.Equal(totals, want) {
				t.Fatalf("query %d, n=%d: ranked %v, full scoring %v", i, n, totals, want)
			}
			if len(full) > n {
				pruned++
			}
		}
		for _, c := range x.Match(q, 10) {
			want, _ := x.Compare(q, c.ID)
			if fmt.Sprint(c.Result) != fmt.Sprint(want) {
				t.Fatalf("Match explained %v, Compare %v", c.Result, want)
			}
		}
	}
	if pruned < 100 {
		t.Fatalf("only %d queries had more candidates than asked: the test does not exercise the pruning", pruned)
	}
	if x.MatchRanked(g.records[0], 0) != nil {
		t.Fatal("n=0 returns candidates")
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// The index copies what it keeps: a record decoded from a large document
// (here 1 MB of narrative) must not keep the document alive (fhir.Decode
// hands out substrings of it).
func TestIndexKeepsNoDocument(t *testing.T) {
	m, _ := NewMatcher(DefaultConfig())
	x := NewIndex(m)
	pad := strings.Repeat("x", 1<<20)
	if _, err := fhir.Decode([]byte(`{"resourceType":"Patient"}`)); err != nil { // loads the R4 definitions first
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 20; i++ {
		doc := fmt.Sprintf(`{"resourceType":"Patient","id":"p%d","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">%s</div>"},`+
			`"name":[{"family":"Tremblay","given":["Marie"]}],"birthDate":"1972-08-12","gender":"female",`+
			`"address":[{"line":["12 rue des Forges"],"city":"Trois-Rivières","postalCode":"G9A 5H7"}]}`, i, pad)
		p, err := fhir.Decode([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Add(FromPatient(p)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Fatalf("20 records of 1 MB documents grew the heap by %d MB: the index keeps the documents", grown>>20)
	}
	if got := x.Match(Record{Family: []string{"Tremblay"}, Given: []string{"Marie"}, BirthDate: "1972-08-12", Sex: "female"}, 1); len(got) != 1 {
		t.Fatalf("match: %v", got)
	}
	runtime.KeepAlive(x)
}

// Live keeps a golden record's members as copies: ids read from its links
// must not keep the (large) golden document alive.
func TestLiveKeepsNoGoldenDocument(t *testing.T) {
	m, _ := NewMatcher(DefaultConfig())
	l := NewLive(m)
	pad := strings.Repeat("x", 1<<20)
	if _, err := fhir.Decode([]byte(`{"resourceType":"Patient"}`)); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 20; i++ {
		doc := fmt.Sprintf(`{"resourceType":"Patient","id":"g%d","meta":{"tag":[{"system":%q,"code":%q}]},`+
			`"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">%s</div>"},`+
			`"link":[{"other":{"reference":"Patient/s%d"},"type":"seealso"}]}`, i, System, GoldenCode, pad, i)
		if err := l.Apply([]dsn.Resource{{Type: "Patient", ID: fmt.Sprint("g", i), VersionID: 1, Body: []byte(doc)}}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Fatalf("20 golden records of 1 MB grew the heap by %d MB: Live keeps the documents", grown>>20)
	}
	if l.GoldenOf("s7") != "g7" {
		t.Fatalf("GoldenOf(s7) = %q", l.GoldenOf("s7"))
	}
	runtime.KeepAlive(l)
}

// A record's text is capped at 64 KiB (16-bit spans): a pathological
// identity drops what does not fit instead of corrupting the others.
func TestPreparedTextCap(t *testing.T) {
	huge := strings.Repeat("Tremblay", 10000) // 80 KB
	r := Record{ID: "x", Family: []string{huge, "Gagnon"}, Given: []string{"Marie"}, BirthDate: "1972-08-12", Sex: "female"}
	p := prepare(&r)
	if len(p.text) > maxText || p.s(p.id) != "x" || p.s(p.given) != "MARIE" || p.dob != 19720812 {
		t.Fatalf("text %d bytes, id %q, given %q", len(p.text), p.s(p.id), p.s(p.given))
	}
	if l := compareAll(p, p); l[FieldGiven] != 0 || l[FieldBirthDate] != 0 {
		t.Fatalf("levels against itself: %v", l)
	}
}

// MatchRankedVersion answers what MatchRanked answers for the same Patient,
// from the record Apply prepared, and only when Live holds that very
// version: another version, a golden record or a deleted Patient send the
// caller back to decoding (the linker relies on it, decision 0027).
func TestMatchRankedVersion(t *testing.T) {
	m, _ := NewMatcher(DefaultConfig())
	l := NewLive(m)
	body := func(id, given string) []byte {
		return []byte(fmt.Sprintf(`{"resourceType":"Patient","id":%q,"name":[{"family":"Tremblay","given":[%q]}],`+
			`"birthDate":"1972-08-12","gender":"female","address":[{"line":["12 rue des Forges"],"city":"Trois-Rivières","postalCode":"G9A 5H7"}]}`, id, given))
	}
	apply := func(id string, v int64, b []byte, deleted bool) {
		t.Helper()
		if err := l.Apply([]dsn.Resource{{Type: "Patient", ID: id, VersionID: v, Body: b, Deleted: deleted}}); err != nil {
			t.Fatal(err)
		}
	}
	apply("a", 1, body("a", "Marie"), false)
	apply("b", 1, body("b", "Marie"), false)
	apply("c", 1, body("c", "Maria"), false)
	apply("b", 2, body("b", "Mario"), false)
	obj, _ := fhir.Decode(body("a", "Marie"))
	want := l.MatchRanked(FromPatient(obj), 5)
	got, ok := l.MatchRankedVersion("a", 1, 5)
	if !ok || len(got) != 2 || len(want) != 2 {
		t.Fatalf("MatchRankedVersion(a, 1) = %v, %v; MatchRanked %v", got, ok, want)
	}
	for i := range got {
		if got[i].ID != want[i].ID || fmt.Sprint(got[i].Result) != fmt.Sprint(want[i].Result) {
			t.Fatalf("candidate %d: %v, MatchRanked %v", i, got[i], want[i])
		}
	}
	if _, ok := l.MatchRankedVersion("b", 1, 5); ok {
		t.Fatal("version 1 of b answered while Live holds version 2")
	}
	if _, ok := l.MatchRankedVersion("b", 3, 5); ok {
		t.Fatal("version 3 of b answered before Live applied it")
	}
	apply("c", 2, nil, true)
	if _, ok := l.MatchRankedVersion("c", 2, 5); ok {
		t.Fatal("a deleted Patient answered")
	}
	gold := fmt.Sprintf(`{"resourceType":"Patient","id":"g","meta":{"tag":[{"system":%q,"code":%q}]},"name":[{"family":"Tremblay","given":["Marie"]}],"link":[{"other":{"reference":"Patient/a"},"type":"seealso"}]}`, System, GoldenCode)
	apply("g", 1, []byte(gold), false)
	if _, ok := l.MatchRankedVersion("g", 1, 5); ok {
		t.Fatal("a golden record answered")
	}
	if err := l.Apply([]dsn.Resource{{Type: "Patient", ID: "a", VersionID: 2, Body: []byte(`{"resourceType":`)}}); err == nil {
		t.Fatal("a broken body was applied")
	}
	if _, ok := l.MatchRankedVersion("a", 1, 5); ok {
		t.Fatal("version 1 of a answered after a later version failed to apply")
	}
}
