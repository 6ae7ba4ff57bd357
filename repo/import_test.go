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
