package storetest

import (
	"context"
	"fmt"
	"testing"

	"dsn"
)

// testReadCurrent checks dsn.CurrentReader: for a batch of keys it returns
// exactly the current version of each resource that exists (the last of
// several, a tombstone for a deleted one), the same as Read, and leaves out
// keys that never existed, including an id that exists under another type.
func testReadCurrent(t *testing.T, open Opener) {
	s := open(t)
	cr, ok := s.(dsn.CurrentReader)
	if !ok {
		t.Fatal("the store does not read current versions in batches (dsn.CurrentReader)")
	}
	ctx := context.Background()
	var ws []dsn.Write
	for i := range 1200 { // more than one page of any internal chunking
		ws = append(ws, res("Observation", fmt.Sprintf("o%d", i), 1, at(0), dsn.Index{}))
	}
	put(t, s, ws...)
	put(t, s, res("Patient", "p", 1, at(1), dsn.Index{}))
	put(t, s, res("Patient", "p", 2, at(2), dsn.Index{}))
	put(t, s, res("Patient", "gone", 1, at(1), dsn.Index{}))
	put(t, s, tombstone("Patient", "gone", 2, at(3)))
	keys := []dsn.ResourceKey{{Type: "Patient", ID: "p"}, {Type: "Patient", ID: "gone"}, {Type: "Patient", ID: "never"}, {Type: "Patient", ID: "o5"}}
	for i := 0; i < 1200; i += 2 {
		keys = append(keys, dsn.ResourceKey{Type: "Observation", ID: fmt.Sprintf("o%d", i)})
	}
	got, err := cr.ReadCurrent(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[dsn.ResourceKey]dsn.Resource{}
	for _, r := range got {
		byKey[dsn.ResourceKey{Type: r.Type, ID: r.ID}] = r
	}
	if len(got) != 2+600 || len(byKey) != len(got) {
		t.Fatalf("%d resources (%d distinct), want 602: the two Patients and the 600 Observations asked for", len(got), len(byKey))
	}
	checkResource(t, byKey[dsn.ResourceKey{Type: "Patient", ID: "p"}], res("Patient", "p", 2, at(2), dsn.Index{}))
	checkResource(t, byKey[dsn.ResourceKey{Type: "Patient", ID: "gone"}], tombstone("Patient", "gone", 2, at(3)))
	for i := 0; i < 1200; i += 2 {
		k := dsn.ResourceKey{Type: "Observation", ID: fmt.Sprintf("o%d", i)}
		checkResource(t, byKey[k], ws[i])
	}
	if none, err := cr.ReadCurrent(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("no keys: %v, %v", none, err)
	}
}
