package repo

import (
	"context"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
)

// Import upserts by id, rejects what does not validate, and writes nothing for
// unchanged content (meta.versionId/lastUpdated aside).
func TestImportUpsertsAndSkipsUnchanged(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	objs := func() []fhir.Object {
		return []fhir.Object{
			mustDecode(t, []byte(`{"resourceType":"Patient","id":"a","gender":"male","meta":{"versionId":"9","lastUpdated":"2020-01-01T00:00:00Z","tag":[{"code":"x"}]}}`)),
			mustDecode(t, []byte(`{"resourceType":"Patient","id":"b","gender":"robot"}`)),
			mustDecode(t, []byte(`{"resourceType":"Patient","gender":"male"}`)),
			mustDecode(t, []byte(`{"resourceType":"NoSuchType","id":"c"}`)),
		}
	}
	res, errs := s.Import(ctx, objs())
	if res[0] != ImportCreated || errs[0] != nil {
		t.Fatalf("a: %v %v", res[0], errs[0])
	}
	for i := 1; i < 4; i++ {
		wantKind(t, errs[i], dsn.KindInvalid)
	}
	res, errs = s.Import(ctx, objs())
	if res[0] != ImportUnchanged || errs[0] != nil || versionCount(t, st) != 1 {
		t.Fatalf("again: %v %v, %d versions", res[0], errs[0], versionCount(t, st))
	}
	changed := mustDecode(t, []byte(`{"resourceType":"Patient","id":"a","gender":"male","meta":{"tag":[{"code":"y"}]}}`))
	res, _ = s.Import(ctx, []fhir.Object{changed})
	if res[0] != ImportUpdated || versionCount(t, st) != 2 {
		t.Fatalf("changed tag: %v, %d versions", res[0], versionCount(t, st))
	}
}

// Two lines with one id in a batch: the optimistic write conflicts, the
// careful one applies them in order (the last line wins, two versions).
func TestImportSameIDTwiceInOneBatch(t *testing.T) {
	s, st := newTestService(t)
	res, errs := s.Import(context.Background(), []fhir.Object{
		mustDecode(t, []byte(`{"resourceType":"Patient","id":"a","gender":"male"}`)),
		mustDecode(t, []byte(`{"resourceType":"Patient","id":"a","gender":"female"}`)),
	})
	if errs[0] != nil || errs[1] != nil || res[0] != ImportCreated || res[1] != ImportUpdated {
		t.Fatalf("results %v, errors %v", res, errs)
	}
	r, err := st.Read(context.Background(), "Patient", "a")
	if err != nil || r.VersionID != 2 || !strings.Contains(string(r.Body), `"female"`) {
		t.Fatalf("read: %v, version %d, %s", err, r.VersionID, r.Body)
	}
}

// A deleted resource imported again comes back as its next version, in the
// batch's one bulk write (the tombstone is read with the current versions).
func TestImportBringsBackDeleted(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	p := func() fhir.Object {
		return mustDecode(t, []byte(`{"resourceType":"Patient","id":"a","gender":"male"}`))
	}
	if res, errs := s.Import(ctx, []fhir.Object{p()}); res[0] != ImportCreated || errs[0] != nil {
		t.Fatalf("first import: %v %v", res, errs)
	}
	if _, err := s.Delete(ctx, "Patient", "a", 0); err != nil {
		t.Fatal(err)
	}
	b := s.PrepareImport(ctx, []fhir.Object{p()})
	if !b.ok || len(b.writes) != 1 || b.writes[0].VersionID != 3 {
		t.Fatalf("plan after the delete: ok %v, writes %+v; want version 3 planned from the tombstone", b.ok, b.writes)
	}
	res, errs := s.CommitImport(ctx, b)
	if res[0] != ImportCreated || errs[0] != nil {
		t.Fatalf("import after delete: %v %v", res, errs)
	}
	r, err := st.Read(ctx, "Patient", "a")
	if err != nil || r.VersionID != 3 {
		t.Fatalf("read: %v, version %d", err, r.VersionID)
	}
}
