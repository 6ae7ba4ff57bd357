// Package storetest is the conformance suite of the dsn.Store contract. The
// sqlite and postgres adapters both run it, so they behave alike.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"dsn"
)

// Opener returns a store on the test's own database. Calling it again within
// the same test (after Close) must reopen the SAME database, so the suite can
// check durability across Close; different tests get different databases.
type Opener func(t *testing.T) dsn.Store

// Run runs every conformance test against stores made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"CreateRead", testCreateRead},
		{"UpdateDeleteGone", testUpdateDeleteGone},
		{"VersionConflict", testVersionConflict},
		{"TxSeesOwnWrites", testTxSeesOwnWrites},
		{"FailingFnRollsBack", testFailingFnRollsBack},
		{"ConflictRollsBackWholeFn", testConflictRollsBackWholeFn},
		{"CancelledContext", testCancelledContext},
		{"CancelWhileQueued", testCancelWhileQueued},
		{"ConcurrentWriters", testConcurrentWriters},
		{"SameIDWrites", testSameIDWrites},
		{"SameIDOppositeOrders", testSameIDOppositeOrders},
		{"CloseDrains", testCloseDrains},
		{"Reopen", testReopen},
		{"IndexReplaced", testIndexReplaced},
		{"ManyIndexRows", testManyIndexRows},
		{"SharedRows", testSharedRows},
		{"History", testHistory},
		{"HistoryPaging", testHistoryPaging},
		{"Search", testSearch},
		{"SearchInvalid", testSearchInvalid},
		{"SearchPaging", testSearchPaging},
		{"SearchFull", testSearchFull},
		{"SearchSort", testSearchSort},
		{"SearchNear", testSearchNear},
		{"Oracle", testOracle},
		{"Compartment", testCompartment},
		{"Records", testRecords},
		{"Journal", testJournal},
		{"Reindex", testReindex},
		{"Jobs", testJobs},
		{"PutAll", testPutAll},
		{"PutAllConflict", testPutAllConflict},
		{"ConcurrentPutAll", testConcurrentPutAll},
		{"AddJobs", testAddJobs},
		{"ExportJobs", testExportJobs},
		{"ImportJobs", testImportJobs},
		{"ReadCurrent", testReadCurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// base is the clock of the suite: versions are written at base + n minutes.
var base = time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)

func at(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }

// res makes a Write of typ/id at the given version and time, with a body that
// carries its meta as the repo layer would.
func res(typ, id string, version int64, when time.Time, ix dsn.Index) dsn.Write {
	body := fmt.Sprintf(`{"resourceType":%q,"id":%q,"meta":{"versionId":"%d","lastUpdated":%q},"value":1.50}`,
		typ, id, version, dsn.FormatInstant(when))
	method := "PUT"
	if version == 1 {
		method = "POST"
	}
	return dsn.Write{
		Resource: dsn.Resource{Type: typ, ID: id, VersionID: version, LastUpdated: when, Method: method, Body: []byte(body)},
		Index:    ix,
	}
}

// tombstone makes the deletion version of typ/id.
func tombstone(typ, id string, version int64, when time.Time) dsn.Write {
	return dsn.Write{Resource: dsn.Resource{Type: typ, ID: id, VersionID: version, LastUpdated: when, Deleted: true, Method: "DELETE"}}
}

// putAll is the fn of a Write that puts each of ws in order.
func putAll(ws []dsn.Write) func(dsn.Tx) error {
	return func(tx dsn.Tx) error {
		for _, w := range ws {
			if err := tx.Put(w); err != nil {
				return err
			}
		}
		return nil
	}
}

// put writes ws in one Write and fails the test on error.
func put(t *testing.T, s dsn.Store, ws ...dsn.Write) {
	t.Helper()
	err := s.Write(context.Background(), putAll(ws))
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// wantKind fails unless err has kind k.
func wantKind(t *testing.T, err error, k dsn.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want kind %v", k)
	}
	if got := dsn.KindOf(err); got != k {
		t.Fatalf("error kind = %v (%v), want %v", got, err, k)
	}
}

// sameJSON compares bodies as JSON values: PostgreSQL's JSONB may reorder keys
// and change spacing, but must keep every value (decimals as written).
func sameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := unmarshal(got, &g); err != nil {
		t.Fatalf("stored body is not JSON: %v: %s", err, got)
	}
	if err := unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("body = %s, want %s", got, want)
	}
}

func unmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// checkResource compares a stored version with what was written.
func checkResource(t *testing.T, got dsn.Resource, want dsn.Write) {
	t.Helper()
	if got.Type != want.Type || got.ID != want.ID || got.VersionID != want.VersionID ||
		!got.LastUpdated.Equal(want.LastUpdated) || got.Deleted != want.Deleted || got.Method != want.Method {
		t.Fatalf("got %s/%s v%d %v deleted=%v %s, want %s/%s v%d %v deleted=%v %s",
			got.Type, got.ID, got.VersionID, got.LastUpdated, got.Deleted, got.Method,
			want.Type, want.ID, want.VersionID, want.LastUpdated, want.Deleted, want.Method)
	}
	if got.LastUpdated.Location() != time.UTC {
		t.Fatalf("LastUpdated %v is not in UTC", got.LastUpdated)
	}
	if want.Deleted {
		if got.Body != nil {
			t.Fatalf("tombstone has a body: %s", got.Body)
		}
		return
	}
	sameJSON(t, got.Body, want.Body)
}

var errBoom = errors.New("boom")
