package provincial

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/search"
	"dsn/synth"
)

// withReferLink gives, byte for byte and row for row, what decoding the
// registration, adding the link and rewriting it gives — on synthetic
// Patients and on bodies that put "link" first, last, or nowhere.
func TestWithReferLinkIsRewrite(t *testing.T) {
	var objs []fhir.Object
	g := synth.New(synth.Options{Seed: 3, Patients: 200, DuplicateRate: 0.3, RegistrationsOnly: true})
	for i := range 200 {
		for _, r := range g.Person(i).Resources {
			if fhir.ResourceType(r) == "Patient" {
				objs = append(objs, r)
			}
		}
	}
	objs = append(objs,
		fhir.Object{"resourceType": "Patient", "id": "bare"},
		fhir.Object{"resourceType": "Patient", "id": "early", "active": true, "gender": "female"},
		fhir.Object{"resourceType": "Patient", "id": "late", "name": []any{map[string]any{"family": "Côté", "text": "a \"link\", {x}"}},
			"telecom": []any{map[string]any{"system": "phone", "value": "819-555-0101"}}, "zz": map[string]any{"link": "x"}})
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	for i, obj := range objs {
		// as repo writes it: rows extracted before meta is set, then encoded
		ix, key, err := search.Extract(obj)
		if err != nil {
			t.Fatal(err)
		}
		fhir.SetMeta(obj, "1", now)
		w := dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: fhir.ID(obj), VersionID: 1, LastUpdated: now,
			Method: "POST", Body: fhir.Encode(obj)}, PatientKey: key, Index: ix}
		gid := fmt.Sprintf("gold-%d", i)
		got, ok := withReferLink(w, gid)
		if !ok {
			t.Fatalf("%s: no splice for a body without link: %s", w.ID, w.Body)
		}
		obj["link"] = []any{link("Patient/"+gid, "refer")}
		want, err := rewrite(w, obj)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Body) != string(want.Body) {
			t.Fatalf("%s: spliced body\n%s\nwant\n%s", w.ID, got.Body, want.Body)
		}
		if got.PatientKey != want.PatientKey || !sameRows(got.Index, want.Index) {
			t.Fatalf("%s: index %+v (key %q)\nwant %+v (key %q)", w.ID, got.Index, got.PatientKey, want.Index, want.PatientKey)
		}
		if _, ok := withReferLink(want, "other"); ok {
			t.Fatalf("%s: spliced a second link into a body that has one", w.ID)
		}
	}
}

// sameRows compares two indexes row for row, references in any order (an
// empty list and none are the same rows).
func sameRows(a, b dsn.Index) bool {
	sorted := func(ix dsn.Index) dsn.Index {
		ix.References = slices.Clone(ix.References)
		slices.SortFunc(ix.References, func(x, y dsn.RefKey) int {
			return cmp.Or(cmp.Compare(x.Param, y.Param), cmp.Compare(x.Type, y.Type), cmp.Compare(x.ID, y.ID), cmp.Compare(x.URL, y.URL))
		})
		return ix
	}
	return fmt.Sprintf("%+v", sorted(a)) == fmt.Sprintf("%+v", sorted(b))
}
