package repo

import (
	"context"
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
