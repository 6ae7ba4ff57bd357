package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/search"
	"dsn/synth"
)

// The oracle test (property-based): the official R4 examples and a
// synthetic population are stored, and thousands of searches generated from
// their own index rows — every parameter type, prefix and modifier, chains,
// _has, composites, _sort paged through every page — must give exactly what
// search.Set, which evaluates each query by FHIRPath on every resource, gives.

// oracleData is what both the store and the oracle hold.
type oracleData struct {
	objs []fhir.Object // in storage order (rid order)
	ix   []dsn.Index   // the fast extraction stored with each
	set  *search.Set
	byKT map[string]int // "Type/id" -> position
}

// examplesDir is the official package's folder (scripts/fhir-package).
func examplesDir() string {
	if dir := os.Getenv("DSN_FHIR_PACKAGE"); dir != "" {
		return dir
	}
	return filepath.Join(os.Getenv("HOME"), ".cache/dsn/hl7.fhir.r4.examples-4.0.1/package")
}

// maxExampleSize leaves the largest examples out of the oracle data.
const maxExampleSize = 100 << 10

// loadOracleData reads the examples (each Type/id once) and synth people.
func loadOracleData(t *testing.T, people int) *oracleData {
	files, _ := filepath.Glob(filepath.Join(examplesDir(), "*-*.json"))
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the FHIR R4 examples package is required under CI=true (scripts/fhir-package)")
		}
		t.Skip("FHIR R4 examples package not found; run scripts/fhir-package")
	}
	d := &oracleData{byKT: map[string]int{}}
	add := func(o fhir.Object) {
		k := fhir.ResourceType(o) + "/" + fhir.ID(o)
		if _, dup := d.byKT[k]; dup || fhir.ID(o) == "" || fhir.ResourceType(o) == "" {
			return
		}
		d.byKT[k] = len(d.objs)
		d.objs = append(d.objs, o)
	}
	for _, f := range files {
		// the 200 files over 100 kB (StructureDefinitions, big CodeSystems,
		// Bundles) are 80 % of the package's bytes and add no kind of row
		if fi, err := os.Stat(f); err != nil || fi.Size() > maxExampleSize {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if o, err := fhir.Decode(b); err == nil {
			add(o)
		}
	}
	g := synth.New(synth.Options{Seed: 11, Patients: people})
	for _, o := range g.Network() {
		add(o)
	}
	g.Each(func(p *synth.Person) error {
		for _, o := range p.Resources {
			add(o)
		}
		return nil
	})
	return d
}

// store writes every resource, with meta set as the repo layer sets it
// (lastUpdated one millisecond apart), in batches, in order.
func (d *oracleData) store(t *testing.T, s dsn.Store) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ws []dsn.Write
	for i, o := range d.objs {
		when := t0.Add(time.Duration(i) * time.Millisecond)
		meta, _ := o["meta"].(map[string]any)
		m := map[string]any{}
		for k, v := range meta {
			m[k] = v
		}
		m["versionId"], m["lastUpdated"] = "1", dsn.FormatInstant(when)
		o["meta"] = m
		ix, pk, err := search.Extract(o)
		if err != nil {
			t.Fatal(err)
		}
		d.ix = append(d.ix, ix)
		ws = append(ws, dsn.Write{Resource: dsn.Resource{Type: fhir.ResourceType(o), ID: fhir.ID(o), VersionID: 1,
			LastUpdated: when, Method: "PUT", Body: fhir.Encode(o)}, PatientKey: pk, Index: ix})
		if len(ws) == 200 || i == len(d.objs)-1 {
			put(t, s, ws...)
			ws = ws[:0]
		}
	}
	d.set = search.NewSet(d.objs...)
}

// oracleQueries is how many queries the test generates per store
// (DSN_ORACLE_QUERIES to change it; DSN_ORACLE_SEED to vary the seed).
func oracleQueries() (int, uint64) {
	n, seed := 800, uint64(2026)
	if v, err := strconv.Atoi(os.Getenv("DSN_ORACLE_QUERIES")); err == nil && v > 0 {
		n = v
	}
	if v, err := strconv.ParseUint(os.Getenv("DSN_ORACLE_SEED"), 10, 64); err == nil {
		seed = v
	}
	return n, seed
}

func testOracle(t *testing.T, open Opener) {
	if testing.Short() {
		t.Skip("-short")
	}
	d := loadOracleData(t, 12)
	s := open(t)
	d.store(t, s)
	n, seed := oracleQueries()
	rng := rand.New(rand.NewPCG(seed, 7))
	g := &queryGen{d: d, rng: rng}
	kinds := map[string]int{}
	var nonEmpty int
	for range n {
		gq := g.next()
		if gq.query == "" {
			continue
		}
		kinds[gq.kind]++
		if compareOracle(t, s, d, gq, rng) {
			nonEmpty++
		}
	}
	checkHostile(t, s, d)
	t.Logf("%d resources, %d queries (%d with matches), seed %d: %v", len(d.objs), n, nonEmpty, seed, kinds)
	if nonEmpty < n/3 {
		t.Errorf("only %d of %d queries found something: the generator lost its aim", nonEmpty, n)
	}
}

// compareOracle runs one query on the store (every page) and on the
// oracle; sets must be equal, and sequences too when the query sorts.
// It reports whether the query found something.
func compareOracle(t *testing.T, s dsn.Store, d *oracleData, gq genQuery, rng *rand.Rand) bool {
	t.Helper()
	vals, err := url.ParseQuery(gq.query)
	if err != nil {
		t.Fatalf("%s: %v", gq.query, err)
	}
	q, issues, err := search.Parse(gq.typ, vals, true)
	if err != nil {
		t.Errorf("%s?%s: %v %+v", gq.typ, gq.query, err, issues)
		return false
	}
	want, oerr := d.set.Search(q)
	// pages of 1 to all: at most ~6 pages per query
	q.Count = max(1, len(want)/(1+rng.IntN(6)), len(want)/6)
	if rng.IntN(4) == 0 {
		q.Count = 1000
	}
	got, total, err := allPages(s, q)
	if undecidable(d, q) {
		if dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("%s?%s: store %v, want KindInvalid (ValueSet not expandable)", gq.typ, gq.query, err)
		}
		return false
	}
	if err != nil || oerr != nil {
		t.Errorf("%s?%s: store error %v, oracle error %v", gq.typ, gq.query, err, oerr)
		return false
	}
	w := make([]string, len(want))
	for i, o := range want {
		w[i] = fhir.ResourceType(o) + "/" + fhir.ID(o)
	}
	if len(q.Sort) == 0 {
		slices.Sort(got)
		slices.Sort(w)
	}
	if !slices.Equal(got, w) {
		t.Errorf("%s?%s (%s, pages of %d):\n store  %v\n oracle %v", gq.typ, gq.query, gq.kind, q.Count, head(got), head(w))
	}
	if total != len(w) {
		t.Errorf("%s?%s: total %d, oracle %d", gq.typ, gq.query, total, len(w))
	}
	return len(w) > 0
}

// allPages follows the cursors and returns the matches as "Type/id", and
// the total the first page reported (_total=accurate).
func allPages(s dsn.Store, q dsn.SearchQuery) ([]string, int, error) {
	var out []string
	total := -1
	q.Total = true
	for pages := 0; pages < 1000; pages++ {
		r, err := s.Search(context.Background(), q)
		if err != nil {
			return nil, 0, err
		}
		if pages == 0 {
			total = r.Total
		}
		for _, m := range r.Matches {
			out = append(out, m.Type+"/"+m.ID)
		}
		if r.Next == "" {
			return out, total, nil
		}
		q.Cursor, q.Total = r.Next, false
	}
	return out, total, fmt.Errorf("paging does not end")
}

// undecidable tells whether q has an :in or :not-in whose ValueSet the
// local resources cannot expand (the store must then refuse it).
func undecidable(d *oracleData, q dsn.SearchQuery) bool {
	lookup := func(typ, canonical string) (fhir.Object, bool) {
		u, v := search.SplitCanonical(canonical)
		for _, o := range d.objs {
			if fhir.ResourceType(o) == typ && o["url"] == u && (v == "" || o["version"] == v) {
				return o, true
			}
		}
		return nil, false
	}
	for _, c := range q.Clauses {
		if c.Modifier == "in" || c.Modifier == "not-in" {
			for _, v := range c.Values {
				if _, err := search.ExpandValueSet(v.Text, lookup); err != nil {
					return true
				}
			}
		}
	}
	return false
}

func head(list []string) []string {
	if len(list) > 12 {
		return append(list[:12:12], fmt.Sprintf("… (%d)", len(list)))
	}
	return list
}

// checkHostile sends values built to break out of a SQL string or LIKE
// pattern: the store answers what the oracle answers (they are plain
// values) and keeps every resource.
func checkHostile(t *testing.T, s dsn.Store, d *oracleData) {
	t.Helper()
	for _, query := range []string{
		"family=" + url.QueryEscape("'; DROP TABLE resource; --"),
		"identifier=" + url.QueryEscape(`x' OR '1'='1|y" OR 1=1 --`),
		"name:contains=" + url.QueryEscape(`%`),
		"name:contains=" + url.QueryEscape(`_`),
		"name:exact=" + url.QueryEscape(`\`),
		"_id=" + url.QueryEscape("1) OR (1=1"),
		"gender=" + url.QueryEscape("male' UNION SELECT * FROM resource_version --"),
	} {
		vals, _ := url.ParseQuery(query)
		q, _, err := search.Parse("Patient", vals, true)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		got, _, err := allPages(s, q)
		want, _ := d.set.Search(q)
		if err != nil || len(got) != len(want) {
			t.Errorf("hostile %s: %d matches (%v), oracle %d", query, len(got), err, len(want))
		}
	}
	r, err := s.Search(context.Background(), dsn.SearchQuery{Total: true, Count: 1})
	if err != nil || r.Total != len(d.objs) {
		t.Fatalf("after hostile queries: %d resources (%v), want %d", r.Total, err, len(d.objs))
	}
}
