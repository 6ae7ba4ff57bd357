package repo

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/sqlite"
)

// seqIDs gives predictable ids: id-1, id-2, ...
type seqIDs struct{ n atomic.Int64 }

func (s *seqIDs) NewID() string { return fmt.Sprintf("id-%d", s.n.Add(1)) }

// tickClock advances one second on each call, so versions have distinct times.
type tickClock struct{ n atomic.Int64 }

func (c *tickClock) Now() time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(c.n.Add(1)) * time.Second)
}

// newTestService opens a real SQLite store in a temporary directory.
func newTestService(t testing.TB) (*Service, dsn.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(Options{Store: st, Clock: &tickClock{}, IDs: &seqIDs{}}), st
}

func mustDecode(t testing.TB, b []byte) fhir.Object {
	t.Helper()
	obj, err := fhir.Decode(b)
	if err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return obj
}

func wantKind(t testing.TB, err error, k dsn.Kind) {
	t.Helper()
	if dsn.KindOf(err) != k || err == nil {
		t.Fatalf("got error %v (kind %v), want kind %v", err, dsn.KindOf(err), k)
	}
}

// versionCount is the number of versions in the whole store.
func versionCount(t testing.TB, st dsn.Store) int {
	t.Helper()
	p, err := st.History(context.Background(), dsn.HistoryQuery{Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

const patientJSON = `{"resourceType":"Patient","identifier":[{"system":"urn:test","value":"%s"}],"name":[{"family":"Tremblay","given":["Marie"]}],"gender":"female"}`

func patient(ident string) []byte { return []byte(fmt.Sprintf(patientJSON, ident)) }
