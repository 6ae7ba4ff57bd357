package postgres

import (
	"context"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/internal/pgtest"
	"dsn/storetest"
)

// testURL is the server the tests use; each test gets its own schema in it.
func testURL() string { return pgtest.URL() }

// freshSchema creates an empty schema, dropped when tb ends, and returns the
// URL that selects it (search_path), so tests and packages run in parallel.
func freshSchema(tb testing.TB) string { return pgtest.Schema(tb, "dsn_test") }

// openTest gives each test one schema, so reopening within a test finds the
// same database (storetest.Opener).
var openTest = storetest.PerTest(func(t *testing.T) string { return freshSchema(t) },
	func(ctx context.Context, u string) (dsn.Store, error) { return Open(ctx, u) })

func TestStore(t *testing.T) { storetest.Run(t, openTest) }

// Two processes migrating the same schema at once both succeed and the
// migration is recorded once (the advisory lock serialises them).
func TestConcurrentOpen(t *testing.T) {
	u := freshSchema(t)
	stores := storetest.OpenAtOnce(t, 4, func(ctx context.Context) (*Store, error) { return Open(ctx, u) })
	var n int
	err := stores[0].wconns[0].QueryRow(context.Background(), "SELECT count(*) FROM schema_migrations WHERE version = 1").Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("migration 1 recorded %d times (%v)", n, err)
	}
}

// JSONB keeps decimals as written (FHIR decimals are exact: 1.50 stays 1.50).
func TestBodyKeepsDecimals(t *testing.T) {
	s := openTest(t).(*Store)
	body := `{"resourceType":"Observation","id":"o","valueQuantity":{"value":1.50},"x":0.1000000000000000055511151231257827}`
	w := dsn.Write{Resource: dsn.Resource{Type: "Observation", ID: "o", VersionID: 1, Method: "POST", Body: []byte(body)}}
	if err := s.Write(context.Background(), func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
		t.Fatal(err)
	}
	r, err := s.Read(context.Background(), "Observation", "o")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1.50", "0.1000000000000000055511151231257827"} {
		if !contains(string(r.Body), want) {
			t.Fatalf("body %s lost the decimal %s", r.Body, want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Open connects one writer; the others connect at their first batch, so a
// command that only reads starts no backend it does not use.
func TestWritersConnectOnFirstBatch(t *testing.T) {
	s := openTest(t).(*Store)
	for i, c := range s.wconns {
		if (c != nil) != (i == 0) {
			t.Fatalf("after Open, writer %d connected: %v", i, c != nil)
		}
	}
	w := dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: "w1", VersionID: 1, Method: "POST", Body: []byte(`{}`)}}
	if err := s.Write(context.Background(), func(tx dsn.Tx) error { return tx.Put(w) }); err != nil {
		t.Fatal(err)
	}
}

// A writer whose connection breaks (server restart, killed backend) fails its
// batch and reconnects: the store keeps working.
func TestWriterReconnects(t *testing.T) {
	s := openTest(t).(*Store)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for i := range s.wconns { // every writer connected (no batch runs yet: no race)
		if _, err := s.writerConn(i); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range s.wconns {
		if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", c.PgConn().PID()); err != nil {
			t.Fatal(err)
		}
	}
	ok := 0
	for i := range 4 * Writers {
		w := dsn.Write{Resource: dsn.Resource{Type: "Patient", ID: "r" + strconv.Itoa(i), VersionID: 1, Method: "POST", Body: []byte(`{}`)}}
		if s.Write(ctx, func(tx dsn.Tx) error { return tx.Put(w) }) == nil {
			ok++
		}
	}
	if ok < 2*Writers {
		t.Fatalf("only %d of %d writes succeeded after the writers' connections were killed", ok, 4*Writers)
	}
}
