package access_test

import (
	"context"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/internal/pgtest"
)

// Two processes on one store (two store handles, each with its Service):
// a revocation made through one is refused by the other on its very next
// request — the clock does not move, so RevocationTTL's reload never runs;
// only the store's revocation signal can tell (decision 0013). Each kind of
// revocation: one access token, a grant (through its access token), a
// user, a client.
func TestRevocationSignal(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		a, b := openSQLite(t, dir), openSQLite(t, dir)
		testRevocationSignal(t, a, b)
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Schema(t, "dsn_revsig")
		a, b := openPostgres(t, url), openPostgres(t, url)
		testRevocationSignal(t, a, b)
	})
}

func testRevocationSignal(t *testing.T, a, b dsn.Records) {
	ctx := context.Background()
	clk := &fixedClock{time.Now().UTC().Truncate(time.Second)}
	svc := access.New(access.Options{Records: a, Clock: clk})
	other := access.New(access.Options{Records: b, Clock: clk})
	g := newGrantFixture(t, svc, "dr.signal")
	sys, secret, err := svc.CreateClient(ctx, "sys", "system/*.rs", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	single, _, err := svc.IssueAccess(ctx, access.UserPrincipal(g.user, access.MustScopes("user/*.rs"), "app"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	grant := g.tokens(t)
	sysTok, _, _, err := svc.ClientCredentials(ctx, sys.ID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{single, grant.Access, sysTok} {
		if _, err := other.Authenticate(ctx, tok); err != nil { // loaded and cached in the other process
			t.Fatalf("before: %v", err)
		}
	}
	refusedNow := func(what, tok string) {
		t.Helper()
		if _, err := other.Authenticate(ctx, tok); dsn.KindOf(err) != dsn.KindUnauthorized {
			t.Fatalf("%s: the other process accepts it on its next request: %v", what, err)
		}
	}
	if _, err := svc.RevokeToken(ctx, single, "", ""); err != nil {
		t.Fatal(err)
	}
	refusedNow("access token", single)
	if _, err := other.Authenticate(ctx, grant.Access); err != nil {
		t.Fatalf("a token not revoked: %v", err)
	}
	if _, err := svc.RevokeToken(ctx, grant.Access, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Refresh(ctx, g.client, grant.Refresh); err == nil {
		t.Fatal("the other process refreshes a revoked grant")
	}
	if _, err := svc.DisableClient(ctx, sys.ID); err != nil {
		t.Fatal(err)
	}
	refusedNow("client", sysTok)
	u2, err := svc.CreateUser(ctx, access.NewUser{Username: "dr.signal2", Role: access.RoleNurse, Establishment: "e"})
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, _ := svc.IssueAccess(ctx, access.UserPrincipal(u2, access.MustScopes("user/*.rs"), "app"), time.Hour)
	if _, err := other.Authenticate(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DisableUser(ctx, u2.ID); err != nil {
		t.Fatal(err)
	}
	refusedNow("user", tok2)
}
