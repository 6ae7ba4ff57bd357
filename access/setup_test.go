package access_test

import (
	"context"
	"testing"
	"time"

	"dsn/access"
	"dsn/postgres"
	"dsn/sqlite"
)

// Test setup. The tests run the access service on the real stores (SQLite in a temporary
// folder, PostgreSQL in a schema of the test's own, pgtest.Schema). Two
// handles opened on one folder or one URL stand for two processes sharing a
// store, as the revocation tests need.

// fixedClock is a clock the test moves.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

// newService is a Service on a fresh SQLite store, with a clock the test moves.
func newService(t testing.TB) (*access.Service, *sqlite.Store, *fixedClock) {
	t.Helper()
	st := openSQLite(t, t.TempDir())
	clk := &fixedClock{time.Now().UTC().Truncate(time.Second)}
	return access.New(access.Options{Records: st, Clock: clk}), st, clk
}

// openSQLite opens the SQLite store in dir, closed when the test ends.
func openSQLite(t testing.TB, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// openPostgres opens the PostgreSQL store at url, closed when the test ends.
func openPostgres(t testing.TB, url string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// signedIn creates a physician named name and issues them a one-hour access
// token for app with user/*.rs, as the token endpoint would.
func signedIn(t testing.TB, svc *access.Service, name, app string) (access.User, string) {
	t.Helper()
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, access.NewUser{Username: name, Role: access.RolePhysician, Establishment: "e"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := svc.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.rs"), app), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return u, tok
}
