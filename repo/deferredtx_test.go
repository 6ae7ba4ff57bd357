package repo

import (
	"context"
	"strings"
	"testing"

	"dsn"
)

// countingStore counts the Put and PutAll calls that reach the store's Tx.
type countingStore struct {
	dsn.Store
	puts, putAlls, written int
}

func (c *countingStore) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	c.puts, c.putAlls, c.written = 0, 0, 0
	return c.Store.Write(ctx, func(tx dsn.Tx) error { return fn(countingTx{tx.(dsn.BulkTx), c}) })
}

type countingTx struct {
	dsn.BulkTx
	c *countingStore
}

func (t countingTx) Put(w dsn.Write) error { t.c.puts++; t.c.written++; return t.BulkTx.Put(w) }
func (t countingTx) PutAll(ws []dsn.Write) error {
	t.c.putAlls++
	t.c.written += len(ws)
	return t.BulkTx.PutAll(ws)
}

// A transaction's creates reach the store as one PutAll, and a search entry
// after them still sees them (http.html#trules: GETs run last, on the
// transaction's writes).
func TestTransactionWritesTogether(t *testing.T) {
	s0, st := newTestService(t)
	cs := &countingStore{Store: st}
	s := New(Options{Store: cs, Clock: s0.clock, IDs: s0.ids})
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient","name":[{"family":"Roy"}]},"request":{"method":"POST","url":"Patient"}}`)
	for range 5 {
		b.WriteString(`,{"resource":{"resourceType":"Observation","status":"final","code":{"text":"pouls"},
		  "subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}},"request":{"method":"POST","url":"Observation"}}`)
	}
	b.WriteString(`,{"request":{"method":"GET","url":"Observation?code:text=pouls"}}]}`)
	resp, err := s.Bundle(ctx, "http://x/fhir", []byte(b.String()), false)
	if err != nil {
		t.Fatal(err)
	}
	if cs.putAlls != 1 || cs.puts != 0 || cs.written != 6 {
		t.Fatalf("store saw %d Put and %d PutAll (%d versions), want one PutAll of 6", cs.puts, cs.putAlls, cs.written)
	}
	entries := resp["entry"].([]any)
	search := entries[6].(map[string]any)["resource"].(map[string]any)
	if found, _ := search["entry"].([]any); len(found) != 5 {
		t.Fatalf("the search entry must see the 5 Observations of the transaction, saw %d", len(found))
	}
	if n := versionCount(t, st); n != 6 {
		t.Fatalf("%d versions stored, want 6", n)
	}
}

// A second write of a resource held back sends the first one before it, so
// the store sees both versions in order.
func TestDeferredTxKeepsOrder(t *testing.T) {
	_, st := newTestService(t)
	ctx := context.Background()
	w := func(v int64) dsn.Write {
		return dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: "p", VersionID: v, Method: "PUT",
			Body: []byte(`{"resourceType":"Patient","id":"p"}`)}}
	}
	err := st.Write(ctx, func(tx dsn.Tx) error {
		d := newDeferredTx(tx, 0)
		if err := d.Put(w(1)); err != nil {
			return err
		}
		if r, err := d.Read("Patient", "p"); err != nil || r.VersionID != 1 {
			t.Fatalf("read of a held-back write: %v %v", r.VersionID, err)
		}
		if err := d.Put(w(2)); err != nil {
			return err
		}
		if err := d.Put(w(3)); err != nil {
			return err
		}
		return d.flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := st.Read(ctx, "Patient", "p"); err != nil || r.VersionID != 3 {
		t.Fatalf("current version %d, %v; want 3", r.VersionID, err)
	}
}
