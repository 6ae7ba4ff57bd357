package storetest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/search"
)

// testSearchNear checks Location?near (location.html#search, search/near.go)
// through the store's SQL and against the brute-force Set: installations of
// Mauricie around Trois-Rivières, one in Montréal, one without position.
func testSearchNear(t *testing.T, open Opener) {
	s := open(t)
	places := []struct {
		id       string
		lat, lng float64
	}{
		{"trois-rivieres", 46.3430, -72.5430},
		{"cap-de-la-madeleine", 46.3720, -72.5160}, // ~4 km
		{"shawinigan", 46.5660, -72.7470},          // ~29 km
		{"montreal", 45.5017, -73.5673},            // ~120 km
	}
	var objs []fhir.Object
	var ws []dsn.Write
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	for _, p := range places {
		objs = append(objs, mustObj(t, fmt.Sprintf(`{"resourceType":"Location","id":%q,"meta":{"versionId":"1","lastUpdated":%q},"position":{"latitude":%v,"longitude":%v}}`,
			p.id, dsn.FormatInstant(t0), p.lat, p.lng)))
	}
	objs = append(objs, mustObj(t, fmt.Sprintf(`{"resourceType":"Location","id":"sans-position","meta":{"versionId":"1","lastUpdated":%q},"name":"Domicile"}`, dsn.FormatInstant(t0))))
	for _, o := range objs {
		ix, pk, err := search.Extract(o)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, dsn.Write{Resource: dsn.Resource{Type: "Location", ID: fhir.ID(o), VersionID: 1,
			LastUpdated: t0, Method: "PUT", Body: fhir.Encode(o)}, PatientKey: pk, Index: ix})
	}
	put(t, s, ws...)
	set := search.NewSet(objs...)
	for near, want := range map[string][]string{
		"46.3430|-72.5430|5|km":     {"cap-de-la-madeleine", "trois-rivieres"},
		"46.3430|-72.5430|35|km":    {"cap-de-la-madeleine", "shawinigan", "trois-rivieres"},
		"46.3430|-72.5430|35000|m":  {"cap-de-la-madeleine", "shawinigan", "trois-rivieres"},
		"46.3430|-72.5430|200|km":   {"cap-de-la-madeleine", "montreal", "shawinigan", "trois-rivieres"},
		"46.3430|-72.5430|1|[mi_i]": {"trois-rivieres"},
		"46.3430|-72.5430":          {"cap-de-la-madeleine", "trois-rivieres"}, // 10 km by default
		"45.5017|-73.5673|2|km":     {"montreal"},
		"10|10|100|km":              nil,
	} {
		q, issues, err := search.ParseAll("Location", url.Values{"near": {near}}, true)
		if err != nil || len(issues) > 0 {
			t.Fatalf("near=%s: %v %v", near, err, issues)
		}
		r, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("near=%s: %v", near, err)
		}
		var got []string
		for _, m := range r.Matches {
			got = append(got, m.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("near=%s: store %v, want %v", near, got, want)
		}
		objs, err := set.Search(q)
		if err != nil {
			t.Fatalf("near=%s (Set): %v", near, err)
		}
		got = got[:0]
		for _, o := range objs {
			got = append(got, fhir.ID(o))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("near=%s: Set %v, want %v", near, got, want)
		}
	}
	for _, bad := range []string{"46.3", "abc|-72|5|km", "46|-72|5|parsecs", "95|-72|5|km", "46|-72|-1|km"} {
		if _, _, err := search.ParseAll("Location", url.Values{"near": {bad}}, true); dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("near=%s under strict handling: %v, want KindInvalid", bad, err)
		}
	}
}

func mustObj(t *testing.T, s string) fhir.Object {
	t.Helper()
	o, err := fhir.Decode([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return o
}
