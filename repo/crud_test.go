package repo

import (
	"context"
	"net/url"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
)

func TestCreateReadUpdateDelete(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	body := []byte(`{"resourceType":"Patient","id":"ignored","gender":"female"}`)
	out, err := s.Create(ctx, "Patient", body, "")
	if err != nil {
		t.Fatal(err)
	}
	if !out.Created || out.Resource.ID != "id-1" || out.Resource.VersionID != 1 {
		t.Fatalf("create: %+v", out)
	}
	got, err := s.Read(ctx, "Patient", "id-1")
	if err != nil {
		t.Fatal(err)
	}
	obj := mustDecode(t, got.Body)
	meta := obj["meta"].(map[string]any)
	if obj["id"] != "id-1" || meta["versionId"] != "1" || meta["lastUpdated"] != dsn.FormatInstant(got.LastUpdated) {
		t.Fatalf("stored body: %s", got.Body)
	}

	up := []byte(`{"resourceType":"Patient","id":"id-1","gender":"male"}`)
	out, err = s.Update(ctx, "Patient", "id-1", up, 1)
	if err != nil || out.Created || out.Resource.VersionID != 2 {
		t.Fatalf("update: %+v %v", out, err)
	}
	_, err = s.Update(ctx, "Patient", "id-1", up, 1)
	wantKind(t, err, dsn.KindPrecondition)

	v1, err := s.VRead(ctx, "Patient", "id-1", 1)
	if err != nil || mustDecode(t, v1.Body)["gender"] != "female" {
		t.Fatalf("vread 1: %s %v", v1.Body, err)
	}

	out, err = s.Delete(ctx, "Patient", "id-1", 0)
	if err != nil || out.Noop || out.Resource.VersionID != 3 {
		t.Fatalf("delete: %+v %v", out, err)
	}
	_, err = s.Read(ctx, "Patient", "id-1")
	wantKind(t, err, dsn.KindGone)
	out, err = s.Delete(ctx, "Patient", "id-1", 0)
	if err != nil || !out.Noop {
		t.Fatalf("second delete must succeed without writing: %+v %v", out, err)
	}
	out, err = s.Delete(ctx, "Patient", "never", 0)
	if err != nil || !out.Noop {
		t.Fatalf("delete of an absent id: %+v %v", out, err)
	}
	// Update after delete brings it back as version 4 (created again).
	out, err = s.Update(ctx, "Patient", "id-1", up, 0)
	if err != nil || !out.Created || out.Resource.VersionID != 4 {
		t.Fatalf("update after delete: %+v %v", out, err)
	}
}

func TestUpdateAsCreateAndIdChecks(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	out, err := s.Update(ctx, "Patient", "p1", []byte(`{"resourceType":"Patient","id":"p1"}`), 0)
	if err != nil || !out.Created || out.Resource.ID != "p1" {
		t.Fatalf("update as create: %+v %v", out, err)
	}
	_, err = s.Update(ctx, "Patient", "p1", []byte(`{"resourceType":"Patient","id":"p2"}`), 0)
	wantKind(t, err, dsn.KindInvalid)
	_, err = s.Update(ctx, "Patient", "p1", []byte(`{"resourceType":"Observation","id":"p1"}`), 0)
	wantKind(t, err, dsn.KindInvalid)
	_, err = s.Update(ctx, "Patient", "bad id!", []byte(`{"resourceType":"Patient","id":"bad id!"}`), 0)
	wantKind(t, err, dsn.KindInvalid)
	_, err = s.Update(ctx, "Patient", "p9", []byte(`{"resourceType":"Patient","id":"p9"}`), 3)
	wantKind(t, err, dsn.KindPrecondition)
	_, err = s.Read(ctx, "Nope", "p1")
	wantKind(t, err, dsn.KindNotFound)
	_, err = s.Read(ctx, "Patient", "p2")
	wantKind(t, err, dsn.KindNotFound)
}

func TestInvalidResourceIsNotStored(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	_, err := s.Create(ctx, "Patient", []byte(`{"resourceType":"Patient","gender":"femme"}`), "")
	wantKind(t, err, dsn.KindInvalid)
	if len(dsn.IssuesOf(err)) == 0 || dsn.IssuesOf(err)[0].Expression == "" {
		t.Fatalf("want an issue pointing at the element: %#v", err)
	}
	_, err = s.Create(ctx, "Patient", []byte(`{"resourceType":"Patient","colour":"blue"}`), "")
	wantKind(t, err, dsn.KindInvalid)
	if n := versionCount(t, st); n != 0 {
		t.Fatalf("%d versions stored, want 0", n)
	}
}

func TestConditionalCreateUpdateDelete(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	a, err := s.Create(ctx, "Patient", patient("A"), "identifier=urn:test|A")
	if err != nil || !a.Created {
		t.Fatalf("%+v %v", a, err)
	}
	again, err := s.Create(ctx, "Patient", patient("A"), "identifier=urn:test|A")
	if err != nil || !again.Noop || again.Resource.ID != a.Resource.ID {
		t.Fatalf("conditional create with one match must return it: %+v %v", again, err)
	}
	if _, err := s.Create(ctx, "Patient", patient("A"), ""); err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx, "Patient", patient("A"), "identifier=urn:test|A")
	wantKind(t, err, dsn.KindPrecondition)

	crit := url.Values{"identifier": {"urn:test|B"}}
	up, err := s.ConditionalUpdate(ctx, "Patient", crit, patient("B"), 0)
	if err != nil || !up.Created {
		t.Fatalf("conditional update, no match → create: %+v %v", up, err)
	}
	up2, err := s.ConditionalUpdate(ctx, "Patient", crit, patient("B"), 0)
	if err != nil || up2.Created || up2.Resource.ID != up.Resource.ID || up2.Resource.VersionID != 2 {
		t.Fatalf("conditional update, one match → update: %+v %v", up2, err)
	}
	_, err = s.ConditionalUpdate(ctx, "Patient", url.Values{"identifier": {"urn:test|A"}}, patient("A"), 0)
	wantKind(t, err, dsn.KindPrecondition)
	// No match, but the body names an id that exists: 409.
	taken := []byte(`{"resourceType":"Patient","id":"` + up.Resource.ID + `"}`)
	_, err = s.ConditionalUpdate(ctx, "Patient", url.Values{"identifier": {"urn:test|nobody"}}, taken, 0)
	wantKind(t, err, dsn.KindConflict)
	fresh := []byte(`{"resourceType":"Patient","id":"fresh"}`)
	if out, err := s.ConditionalUpdate(ctx, "Patient", url.Values{"identifier": {"urn:test|nobody"}}, fresh, 0); err != nil || out.Resource.ID != "fresh" || !out.Created {
		t.Fatalf("no match, free id → update as create: %+v %v", out, err)
	}

	del, err := s.ConditionalDelete(ctx, "Patient", crit)
	if err != nil || del.Noop {
		t.Fatalf("conditional delete: %+v %v", del, err)
	}
	_, err = s.Read(ctx, "Patient", up.Resource.ID)
	wantKind(t, err, dsn.KindGone)
	del, err = s.ConditionalDelete(ctx, "Patient", crit)
	if err != nil || !del.Noop {
		t.Fatalf("conditional delete with no match: %+v %v", del, err)
	}
	_, err = s.ConditionalDelete(ctx, "Patient", url.Values{})
	wantKind(t, err, dsn.KindInvalid)
}

func TestPatch(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	if _, err := s.Update(ctx, "Patient", "p", []byte(`{"resourceType":"Patient","id":"p","gender":"female","name":[{"family":"Roy"}]}`), 0); err != nil {
		t.Fatal(err)
	}
	out, err := s.Patch(ctx, "Patient", "p", []byte(`[
		{"op":"test","path":"/gender","value":"female"},
		{"op":"replace","path":"/gender","value":"male"},
		{"op":"add","path":"/name/0/given","value":["Luc"]},
		{"op":"add","path":"/birthDate","value":"1970-01-01"}]`), 1)
	if err != nil || out.Resource.VersionID != 2 {
		t.Fatalf("patch: %+v %v", out, err)
	}
	obj := mustDecode(t, out.Resource.Body)
	if obj["gender"] != "male" || obj["birthDate"] != "1970-01-01" {
		t.Fatalf("patched: %s", out.Resource.Body)
	}
	given := obj["name"].([]any)[0].(map[string]any)["given"].([]any)
	if given[0] != "Luc" {
		t.Fatalf("patched: %s", out.Resource.Body)
	}
	_, err = s.Patch(ctx, "Patient", "p", []byte(`[{"op":"test","path":"/gender","value":"female"}]`), 0)
	wantKind(t, err, dsn.KindUnprocessable)
	_, err = s.Patch(ctx, "Patient", "p", []byte(`[{"op":"replace","path":"/gender","value":"other-thing"}]`), 0)
	wantKind(t, err, dsn.KindUnprocessable)
	_, err = s.Patch(ctx, "Patient", "p", []byte(`[{"op":"replace","path":"/id","value":"q"}]`), 0)
	wantKind(t, err, dsn.KindUnprocessable)
	_, err = s.Patch(ctx, "Patient", "p", []byte(`{"op":"remove"}`), 0)
	wantKind(t, err, dsn.KindInvalid)
	_, err = s.Patch(ctx, "Patient", "p", []byte(`[{"op":"remove","path":"/gender"}]`), 1)
	wantKind(t, err, dsn.KindPrecondition)
	_, err = s.Patch(ctx, "Patient", "absent", []byte(`[{"op":"remove","path":"/gender"}]`), 0)
	wantKind(t, err, dsn.KindNotFound)
	cur, _ := s.Read(ctx, "Patient", "p")
	if cur.VersionID != 2 {
		t.Fatalf("failed patches must not write: version %d", cur.VersionID)
	}
}

func TestHistory(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := s.Update(ctx, "Patient", "h", []byte(`{"resourceType":"Patient","id":"h"}`), 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Delete(ctx, "Patient", "h", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "Observation", []byte(`{"resourceType":"Observation","status":"final","code":{"text":"x"}}`), ""); err != nil {
		t.Fatal(err)
	}
	base := "http://x/fhir"
	b, err := s.History(ctx, base, "Patient", "h", url.Values{"_count": {"2"}})
	if err != nil {
		t.Fatal(err)
	}
	entries := b["entry"].([]any)
	if b["total"] != 4 || len(entries) != 2 {
		t.Fatalf("instance history: total %v, %d entries", b["total"], len(entries))
	}
	first := entries[0].(map[string]any)
	if first["request"].(map[string]any)["method"] != "DELETE" || first["resource"] != nil {
		t.Fatalf("newest first, a deletion has no resource: %v", first)
	}
	next := linkURL(b, "next")
	if next == "" {
		t.Fatal("no next link")
	}
	u, _ := url.Parse(next)
	b2, err := s.History(ctx, base, "Patient", "h", u.Query())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b2["entry"].([]any)); n != 2 || linkURL(b2, "next") != "" {
		t.Fatalf("second page: %d entries, next %q", n, linkURL(b2, "next"))
	}
	sys, err := s.History(ctx, base, "", "", url.Values{})
	if err != nil || sys["total"] != 5 {
		t.Fatalf("system history total %v %v", sys["total"], err)
	}
	since, err := s.History(ctx, base, "", "", url.Values{"_since": {"2026-01-01T00:00:05Z"}})
	if err != nil || since["total"] != 1 {
		t.Fatalf("_since: total %v %v", since["total"], err)
	}
	_, err = s.History(ctx, base, "", "", url.Values{"_since": {"yesterday"}})
	wantKind(t, err, dsn.KindInvalid)
}

func linkURL(b fhir.Object, rel string) string {
	for _, l := range b["link"].([]any) {
		m := l.(map[string]any)
		if m["relation"] == rel {
			return m["url"].(string)
		}
	}
	return ""
}

func TestSearch(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	for _, id := range []string{"A", "B", "C"} {
		if _, err := s.Create(ctx, "Patient", patient(id), ""); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Search(ctx, "http://x/fhir", "Patient", url.Values{"identifier": {"urn:test|B"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	entries := b["entry"].([]any)
	if len(entries) != 1 || b["type"] != "searchset" {
		t.Fatalf("search: %v", b)
	}
	all, err := s.Search(ctx, "http://x/fhir", "Patient", url.Values{"_count": {"2"}, "_total": {"accurate"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all["entry"].([]any)) != 2 || all["total"] != 3 || linkURL(all, "next") == "" {
		t.Fatalf("paged search: %v", all)
	}
	lenient, err := s.Search(ctx, "http://x/fhir", "Patient", url.Values{"colour": {"blue"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	last := lenient["entry"].([]any)
	if m := last[len(last)-1].(map[string]any); m["search"].(map[string]any)["mode"] != "outcome" {
		t.Fatalf("lenient search must report the ignored parameter: %v", m)
	}
	_, err = s.Search(ctx, "http://x/fhir", "Patient", url.Values{"colour": {"blue"}}, true)
	wantKind(t, err, dsn.KindInvalid)
}

// stuckClock always answers the same instant.
type stuckClock struct{}

func (stuckClock) Now() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

func TestLastUpdatedNeverGoesBack(t *testing.T) {
	s, _ := newTestService(t)
	s.clock = stuckClock{}
	ctx := context.Background()
	var prev time.Time
	for i := 0; i < 3; i++ {
		out, err := s.Update(ctx, "Patient", "t", []byte(`{"resourceType":"Patient","id":"t"}`), 0)
		if err != nil {
			t.Fatal(err)
		}
		if !out.Resource.LastUpdated.After(prev) {
			t.Fatalf("version %d: lastUpdated %v not after %v", out.Resource.VersionID, out.Resource.LastUpdated, prev)
		}
		prev = out.Resource.LastUpdated
	}
	del, err := s.Delete(ctx, "Patient", "t", 0)
	if err != nil || !del.Resource.LastUpdated.After(prev) {
		t.Fatalf("delete: %v %v", del.Resource.LastUpdated, err)
	}
}
