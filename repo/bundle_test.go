package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
)

const txBundle = `{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
  "resource":{"resourceType":"Observation","status":"final","code":{"text":"glycémie"},
   "subject":{"reference":"urn:uuid:88f151c0-a954-468a-88b3-6fe8a4e7f1a9"},
   "performer":[{"reference":"Practitioner?identifier=urn:test|DR1"}]},
  "request":{"method":"POST","url":"Observation"}},
 {"fullUrl":"urn:uuid:88f151c0-a954-468a-88b3-6fe8a4e7f1a9",
  "resource":{"resourceType":"Patient","name":[{"family":"Côté"}],
   "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">voir urn:uuid:88f151c0-a954-468a-88b3-6fe8a4e7f1a9</div>"}},
  "request":{"method":"POST","url":"Patient"}},
 {"resource":{"resourceType":"Patient","id":"fixed","gender":"male"},
  "request":{"method":"PUT","url":"Patient/fixed"}},
 {"request":{"method":"DELETE","url":"Patient/old"}},
 {"request":{"method":"GET","url":"Patient/old"}}
]}`

func TestTransactionResolvesReferencesAndOrders(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	if _, err := s.Update(ctx, "Practitioner", "dr1", []byte(`{"resourceType":"Practitioner","id":"dr1","identifier":[{"system":"urn:test","value":"DR1"}]}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "Patient", "old", []byte(`{"resourceType":"Patient","id":"old"}`), 0); err != nil {
		t.Fatal(err)
	}
	// The GET of Patient/old runs after its DELETE (http.html#trules), so the
	// whole transaction fails with 410: nothing of it may remain.
	_, err := s.Bundle(ctx, "http://x/fhir", []byte(txBundle), true)
	wantKind(t, err, dsn.KindGone)
	if !strings.Contains(dsn.Message(err), "entrée 4") {
		t.Fatalf("the error must name the entry: %v", err)
	}
	if _, err := s.Read(ctx, "Patient", "old"); err != nil {
		t.Fatalf("rolled back delete: %v", err)
	}

	body := strings.Replace(txBundle, `"url":"Patient/old"}}
]`, `"url":"Patient/fixed"}}
]`, 1)
	resp, err := s.Bundle(ctx, "http://x/fhir", []byte(body), true)
	if err != nil {
		t.Fatal(err)
	}
	entries := resp["entry"].([]any)
	if resp["type"] != "transaction-response" || len(entries) != 5 {
		t.Fatalf("response: %v", resp)
	}
	status := func(i int) string {
		return entries[i].(map[string]any)["response"].(map[string]any)["status"].(string)
	}
	if status(0) != "201 Created" || status(1) != "201 Created" || status(2) != "201 Created" || status(3) != "204 No Content" || status(4) != "200 OK" {
		t.Fatalf("statuses: %s %s %s %s %s", status(0), status(1), status(2), status(3), status(4))
	}
	patLoc := entries[1].(map[string]any)["response"].(map[string]any)["location"].(string)
	patID := strings.Split(patLoc, "/")[1]
	obsLoc := entries[0].(map[string]any)["response"].(map[string]any)["location"].(string)
	obs, err := s.Read(ctx, "Observation", strings.Split(obsLoc, "/")[1])
	if err != nil {
		t.Fatal(err)
	}
	o := mustDecode(t, obs.Body)
	if ref := o["subject"].(map[string]any)["reference"]; ref != "Patient/"+patID {
		t.Fatalf("urn:uuid not rewritten: %v (patient %s)", ref, patID)
	}
	if ref := o["performer"].([]any)[0].(map[string]any)["reference"]; ref != "Practitioner/dr1" {
		t.Fatalf("conditional reference not resolved: %v", ref)
	}
	p, _ := s.Read(ctx, "Patient", patID)
	if !strings.Contains(string(p.Body), "voir Patient/"+patID) {
		t.Fatalf("narrative not rewritten: %s", p.Body)
	}
	// GET Patient/fixed ran last and saw the PUT of the same transaction.
	got := entries[4].(map[string]any)["resource"]
	if !strings.Contains(string(fhir.Encode(got)), `"gender":"male"`) {
		t.Fatalf("GET entry: %s", fhir.Encode(got))
	}
}

func TestTransactionIsAtomic(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	bad := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Patient","id":"x","gender":"female"},"request":{"method":"PUT","url":"Patient/x"}},
	 {"resource":{"resourceType":"Patient","gender":"nope"},"request":{"method":"POST","url":"Patient"}}]}`
	_, err := s.Bundle(ctx, "http://x/fhir", []byte(bad), false)
	wantKind(t, err, dsn.KindInvalid)
	if is := dsn.IssuesOf(err); len(is) == 0 || !strings.HasPrefix(is[0].Expression, "Bundle.entry[2].resource") {
		t.Fatalf("issue must point into the Bundle: %+v", is)
	}
	if n := versionCount(t, st); n != 0 {
		t.Fatalf("%d versions written by a failed transaction", n)
	}
	dup := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Patient","id":"x"},"request":{"method":"PUT","url":"Patient/x"}},
	 {"request":{"method":"DELETE","url":"Patient/x"}}]}`
	_, err = s.Bundle(ctx, "http://x/fhir", []byte(dup), false)
	wantKind(t, err, dsn.KindInvalid)
	noMatch := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient?identifier=urn:test|nobody"}},"request":{"method":"POST","url":"Observation"}}]}`
	_, err = s.Bundle(ctx, "http://x/fhir", []byte(noMatch), false)
	wantKind(t, err, dsn.KindPrecondition)
	if n := versionCount(t, st); n != 0 {
		t.Fatalf("%d versions written by failed transactions", n)
	}
}

func TestTransactionConditionalCreate(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:a","resource":` + string(patient("Q1")) + `,"request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:test|Q1"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:a"}},"request":{"method":"POST","url":"Observation"}}]}`
	first, err := s.Bundle(ctx, "http://x/fhir", []byte(tx), false)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Bundle(ctx, "http://x/fhir", []byte(tx), false)
	if err != nil {
		t.Fatal(err)
	}
	e1 := first["entry"].([]any)[0].(map[string]any)
	e2 := second["entry"].([]any)[0].(map[string]any)
	if e1["fullUrl"] != e2["fullUrl"] || e2["response"].(map[string]any)["status"] != "200 OK" {
		t.Fatalf("conditional create in a transaction: %v / %v", e1, e2)
	}
}

func TestTransactionAbsoluteFullURL(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"http://example.org/fhir/Patient/tmp1","resource":{"resourceType":"Patient","id":"tmp1"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/tmp1"},"focus":[{"reference":"http://example.org/fhir/Patient/tmp1"}]},"request":{"method":"POST","url":"Observation"}}]}`
	resp, err := s.Bundle(ctx, "http://x/fhir", []byte(tx), true)
	if err != nil {
		t.Fatal(err)
	}
	entries := resp["entry"].([]any)
	pid := entries[0].(map[string]any)["resource"].(json.RawMessage)
	p := mustDecode(t, pid)
	o := mustDecode(t, entries[1].(map[string]any)["resource"].(json.RawMessage))
	want := "Patient/" + p["id"].(string)
	if p["id"] == "tmp1" || o["subject"].(map[string]any)["reference"] != want || o["focus"].([]any)[0].(map[string]any)["reference"] != want {
		t.Fatalf("references to an absolute fullUrl must follow the new id %s: %v", want, o)
	}
	// If-None-Exist given as "Patient?identifier=…" is accepted too.
	if _, err := s.Create(ctx, "Patient", patient("Z"), "Patient?identifier=urn:test|Z"); err != nil {
		t.Fatal(err)
	}
	again, err := s.Create(ctx, "Patient", patient("Z"), "Patient?identifier=urn:test|Z")
	if err != nil || !again.Noop {
		t.Fatalf("%+v %v", again, err)
	}
}

func TestBatchEntriesAreIndependent(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	b := `{"resourceType":"Bundle","type":"batch","entry":[
	 {"resource":{"resourceType":"Patient","id":"ok"},"request":{"method":"PUT","url":"Patient/ok"}},
	 {"resource":{"resourceType":"Patient","gender":"nope"},"request":{"method":"POST","url":"Patient"}},
	 {"request":{"method":"GET","url":"Patient/absent"}},
	 {"request":{"method":"FROB","url":"Patient"}},
	 {"request":{"method":"GET","url":"Patient?_id=pre"}}]}`
	if _, err := s.Update(ctx, "Patient", "pre", []byte(`{"resourceType":"Patient","id":"pre"}`), 0); err != nil {
		t.Fatal(err)
	}
	resp, err := s.Bundle(ctx, "http://x/fhir", []byte(b), false)
	if err != nil {
		t.Fatal(err)
	}
	entries := resp["entry"].([]any)
	want := []string{"201 Created", "400 Bad Request", "404 Not Found", "400 Bad Request", "200 OK"}
	for i, w := range want {
		r := entries[i].(map[string]any)["response"].(map[string]any)
		if r["status"] != w {
			t.Fatalf("entry %d: status %v, want %s", i, r["status"], w)
		}
		if w[0] != '2' && r["outcome"].(fhir.Object)["resourceType"] != "OperationOutcome" {
			t.Fatalf("entry %d: no outcome", i)
		}
	}
	if _, err := s.Read(ctx, "Patient", "ok"); err != nil {
		t.Fatalf("the good entry must be stored: %v", err)
	}
	search := entries[4].(map[string]any)["resource"].(fhir.Object)
	if len(search["entry"].([]any)) != 1 {
		t.Fatalf("search entry: %v", search)
	}
}

func TestBundleRejectsOtherTypes(t *testing.T) {
	s, _ := newTestService(t)
	_, err := s.Bundle(context.Background(), "http://x/fhir", []byte(`{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/a"}},
	 {"request":{"method":"GET","url":"Patient/a/_history"}}]}`), false)
	wantKind(t, err, dsn.KindInvalid)
	_, err = s.Bundle(context.Background(), "http://x/fhir", []byte(`{"resourceType":"Bundle","type":"document"}`), false)
	wantKind(t, err, dsn.KindInvalid)
	_, err = s.Bundle(context.Background(), "http://x/fhir", []byte(`{"resourceType":"Patient"}`), false)
	wantKind(t, err, dsn.KindInvalid)
}

// FuzzTransaction: the Bundle processor never panics, and a transaction that
// fails leaves nothing behind.
func FuzzTransaction(f *testing.F) {
	f.Add([]byte(txBundle))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PATCH","url":"Patient/x"},"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":"W10="}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"DELETE","url":"Patient?name=x"}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},{"resource":{"resourceType":"Patient","id":"a","link":[{"type":"seealso","other":{"reference":"urn:uuid:1"}}]},"request":{"method":"PUT","url":"Patient/a"}}]}`))
	s, st := newTestService(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := versionCount(t, st)
		resp, err := s.Bundle(context.Background(), "http://x/fhir", body, false)
		after := versionCount(t, st)
		if err != nil && after != before {
			t.Fatalf("failed Bundle wrote %d versions: %v", after-before, err)
		}
		if err != nil {
			return
		}
		// Every version written shows as one entry with a location, and
		// nothing else was written.
		written := 0
		for _, e := range resp["entry"].([]any) {
			if _, ok := e.(map[string]any)["response"].(map[string]any)["location"]; ok {
				written++
			}
		}
		if after-before != written {
			t.Fatalf("%d versions written, %d reported", after-before, written)
		}
	})
}

func TestBatchOfManyEntries(t *testing.T) {
	s, st := newTestService(t)
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"batch","entry":[`)
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"resource":{"resourceType":"Patient","id":"m%d"},"request":{"method":"PUT","url":"Patient/m%d"}}`, i, i)
	}
	b.WriteString(`]}`)
	resp, err := s.Bundle(context.Background(), "http://x/fhir", []byte(b.String()), false)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range resp["entry"].([]any) {
		r := e.(map[string]any)
		if r["response"].(map[string]any)["status"] != "201 Created" || r["fullUrl"] != fmt.Sprintf("http://x/fhir/Patient/m%d", i) {
			t.Fatalf("entry %d: %v", i, r)
		}
	}
	if n := versionCount(t, st); n != 50 {
		t.Fatalf("%d versions, want 50", n)
	}
}
