package repo

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"dsn"
	"dsn/fhir"
)

// inWrite tells whether a Store.Write fn is running.
type inWrite struct {
	dsn.Store
	in atomic.Bool
}

func (w *inWrite) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	return w.Store.Write(ctx, func(tx dsn.Tx) error {
		w.in.Store(true)
		defer w.in.Store(false)
		return fn(tx)
	})
}

// A transaction without conditional entries or references is validated and
// indexed before its Store.Write (off the store's single writer), with the
// same result; a conditional one does it inside, where searches see the
// transaction's writes.
func TestTransactionPreparedBeforeTheWrite(t *testing.T) {
	_, raw := newTestService(t)
	st := &inWrite{Store: raw}
	var inside atomic.Int32
	s := New(Options{Store: st, Clock: &tickClock{}, IDs: &seqIDs{}, Validate: func(obj fhir.Object) error {
		if st.in.Load() {
			inside.Add(1)
		}
		return fhir.Validate(obj)
	}})
	ctx := context.Background()
	plain := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:p"}},"request":{"method":"POST","url":"Observation"}},
	 {"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Patient","id":"x","gender":"male"},"request":{"method":"PUT","url":"Patient/x"}}]}`
	out, err := s.Bundle(ctx, "http://x/fhir", []byte(plain), true)
	if err != nil {
		t.Fatal(err)
	}
	if n := inside.Load(); n != 0 {
		t.Fatalf("%d validations inside the Store.Write of an unconditional transaction", n)
	}
	entry := func(i int) fhir.Object {
		return mustDecode(t, out["entry"].([]any)[i].(map[string]any)["resource"].(json.RawMessage))
	}
	obs, pat := entry(0), entry(1)
	if ref := obs["subject"].(map[string]any)["reference"]; ref != "Patient/"+fhir.ID(pat) {
		t.Fatalf("subject %v, Patient %s", ref, fhir.ID(pat))
	}
	if _, err := st.Read(ctx, "Observation", fhir.ID(obs)); err != nil {
		t.Fatal(err)
	}
	found, err := st.Search(ctx, dsn.SearchQuery{Type: "Observation", Clauses: []dsn.Clause{{Param: "subject",
		Type: dsn.ParamReference, Values: []dsn.Value{{RefType: "Patient", RefID: fhir.ID(pat)}}}}})
	if err != nil || len(found.Matches) != 1 {
		t.Fatalf("the Observation is not indexed by its subject: %d, %v", len(found.Matches), err)
	}

	bad := strings.Replace(plain, `"gender":"male"`, `"gender":"nope"`, 1)
	_, err = s.Bundle(ctx, "http://x/fhir", []byte(bad), false)
	wantKind(t, err, dsn.KindInvalid)
	if is := dsn.IssuesOf(err); len(is) == 0 || !strings.HasPrefix(is[0].Expression, "Bundle.entry[2].resource") {
		t.Fatalf("issue must point into the Bundle: %+v", is)
	}

	cond := strings.Replace(plain, `"url":"Patient"}`, `"url":"Patient","ifNoneExist":"gender=female"}`, 1)
	if _, err := s.Bundle(ctx, "http://x/fhir", []byte(cond), false); err != nil {
		t.Fatal(err)
	}
	if inside.Load() == 0 {
		t.Fatal("a conditional transaction was validated before its Store.Write")
	}
}

// A plan that fails after rewriting references (here entry 2's conditional
// reference needs the store, after entry 1's urn:uuid was rewritten to the
// id the plan gave the Patient) leaves the Write fn the resources as sent:
// entry 1 then refers to the id the Patient really gets. The plan works on
// the resources themselves, not copies (preplan).
func TestTransactionPlanFailingAfterRewrites(t *testing.T) {
	s, _ := newTestService(t)
	ctx := context.Background()
	if _, err := s.Update(ctx, "Practitioner", "dr1", []byte(`{"resourceType":"Practitioner","id":"dr1","identifier":[{"system":"urn:test","value":"DR1"}]}`), 0); err != nil {
		t.Fatal(err)
	}
	body := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"a"},"subject":{"reference":"urn:uuid:p"}},"request":{"method":"POST","url":"Observation"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"b"},"performer":[{"reference":"Practitioner?identifier=urn:test|DR1"}]},"request":{"method":"POST","url":"Observation"}}]}`
	for range 5 { // map order varies: the rewrite of entry 1 and the failure, in any order
		out, err := s.Bundle(ctx, "http://x/fhir", []byte(body), true)
		if err != nil {
			t.Fatal(err)
		}
		entry := func(i int) fhir.Object {
			return mustDecode(t, out["entry"].([]any)[i].(map[string]any)["resource"].(json.RawMessage))
		}
		pat, obs, other := entry(0), entry(1), entry(2)
		if ref := obs["subject"].(map[string]any)["reference"]; ref != "Patient/"+fhir.ID(pat) {
			t.Fatalf("subject %v, but the Patient is %s", ref, fhir.ID(pat))
		}
		if _, err := s.Read(ctx, "Patient", fhir.ID(pat)); err != nil {
			t.Fatal(err)
		}
		if ref := other["performer"].([]any)[0].(map[string]any)["reference"]; ref != "Practitioner/dr1" {
			t.Fatalf("conditional reference: %v", ref)
		}
	}
}
