package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/fhir"
	"dsn/synth"
)

// versions counts every stored version, to prove that nothing was written.
func versions(t *testing.T, m *Main) int {
	t.Helper()
	p, err := m.raw.History(context.Background(), dsn.HistoryQuery{Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// TestHostileInput: SQL injection through every search parameter of the
// clinical types, tampered tokens, a gzip bomb and deeply nested JSON — each
// gets a clear answer (never 500), nothing is written, and a physician's
// search never returns a record they may not see.
func TestHostileInput(t *testing.T) {
	ctx := context.Background()
	m, base, stop := runMain(t, t.TempDir())
	defer stop()
	g := synth.New(synth.Options{Seed: 5, Patients: 10})
	if _, err := seedDemo(ctx, m.store, g, io.Discard); err != nil {
		t.Fatal(err)
	}
	u, err := m.auth.CreateUser(ctx, access.NewUser{Username: "dr.x", Role: access.RolePhysician, Establishment: "e", Practitioner: "nobody-follows"})
	if err != nil {
		t.Fatal(err)
	}
	doc, _, _ := m.auth.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.cruds"), ""), time.Hour)
	auth := []string{"Authorization", "Bearer " + doc}
	f := base + "/fhir"
	before := versions(t, m)

	payloads := []string{`' OR '1'='1`, `x'; DROP TABLE resource; --`, `") OR 1=1 --`, `%' UNION SELECT body FROM resource_version --`,
		"\x00", `\' OR 1=1 #`, `ge2020' OR 'a'='a`, `Patient/x' OR '1'='1`, `http://x|y' OR 1=1--`}
	for _, typ := range []string{"Patient", "Observation", "Encounter", "Condition"} {
		params := fhir.SearchParams(typ)
		names := make([]string, 0, len(params))
		for n := range params {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			for _, p := range payloads {
				a := call(t, "GET", f+"/"+typ+"?"+url.Values{n: {p}}.Encode(), "", auth...)
				if a.status != 200 && a.status != 400 {
					t.Fatalf("%s?%s=%q: %d %s", typ, n, p, a.status, a.raw)
				}
				if a.status == 200 && typ != "Patient" {
					if es, _ := a.obj["entry"].([]any); len(es) > 0 && !strings.Contains(string(a.raw), `"mode":"outcome"`) {
						t.Fatalf("%s?%s=%q returned %d resources of records the physician does not follow", typ, n, p, len(es))
					}
				}
			}
		}
	}
	// tampered and foreign tokens
	parts := strings.Split(doc, ".")
	for _, tok := range []string{parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), parts[0] + ".e30." + parts[2], "x.y.z"} {
		if a := call(t, "GET", f+"/Patient", "", "Authorization", "Bearer "+tok); a.status != 401 {
			t.Fatalf("tampered token: %d", a.status)
		}
	}
	// a gzip bomb: 80 MiB of zeros in a few dozen kB
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"resourceType":"Patient","id":"bomb","text":{"div":"`))
	zw.Write(make([]byte, 80<<20))
	zw.Close()
	req, _ := http.NewRequest("PUT", f+"/Patient/bomb", &bomb)
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+doc)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Fatalf("gzip bomb: %d, want 413", res.StatusCode)
	}
	// deeply nested JSON
	deep := `{"resourceType":"Patient","extension":` + strings.Repeat(`[{"url":"x","extension":`, 5000) + `[]` + strings.Repeat(`}]`, 5000) + `}`
	if a := call(t, "POST", f+"/Patient", deep, auth...); a.status != 400 || a.obj["resourceType"] != "OperationOutcome" {
		t.Fatalf("deeply nested body: %d %.200s", a.status, a.raw)
	}
	if after := versions(t, m); after != before {
		t.Fatalf("hostile input wrote %d versions", after-before)
	}
}
