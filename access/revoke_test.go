package access_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
	"dsn/internal/pgtest"
)

// refused waits (another process reloads in the background) until svc
// refuses tok, and fails if it never does.
func refused(t *testing.T, svc *access.Service, tok string) {
	t.Helper()
	for range 200 {
		if _, err := svc.Authenticate(context.Background(), tok); dsn.KindOf(err) == dsn.KindUnauthorized {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the token is still accepted")
}

// Revocations made by one Service reach another one on the same store
// within RevocationTTL: a single access token (deny list), a client (cut-off)
// and a user re-enabled (old tokens refused, new ones accepted).
func TestRevocationAcrossProcesses(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		_, st, clk := newService(t)
		testRevocationAcross(t, st, clk)
	})
	t.Run("postgres", func(t *testing.T) {
		st := openPostgres(t, pgtest.Schema(t, "dsn_access"))
		testRevocationAcross(t, st, &fixedClock{time.Now().UTC().Truncate(time.Second)})
	})
}

func testRevocationAcross(t *testing.T, st dsn.Records, clk *fixedClock) {
	ctx := context.Background()
	svc := access.New(access.Options{Records: st, Clock: clk})
	other := access.New(access.Options{Records: st, Clock: clk})
	u, err := svc.CreateUser(ctx, access.NewUser{Username: "dr.r", Role: access.RolePhysician, Establishment: "e"})
	if err != nil {
		t.Fatal(err)
	}
	c, secret, err := svc.CreateClient(ctx, "sys", "system/*.rs", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	issue := func() string {
		tok, _, err := svc.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.rs"), "app"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t1, t2 := issue(), issue()
	sysTok, _, _, err := svc.ClientCredentials(ctx, c.ID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{t1, t2, sysTok} {
		if _, err := other.Authenticate(ctx, tok); err != nil {
			t.Fatalf("before: %v", err)
		}
	}
	// one access token: the other stays valid
	if rv, err := svc.RevokeToken(ctx, t1, "access_token", "app"); err != nil || rv.Type != "access_token" {
		t.Fatalf("RevokeToken: %+v %v", rv, err)
	}
	if _, err := svc.Authenticate(ctx, t1); err == nil || !strings.Contains(err.Error(), "révoqué") {
		t.Fatalf("same process: %v", err)
	}
	clk.t = clk.t.Add(access.RevocationTTL + time.Second)
	refused(t, other, t1)
	if _, err := other.Authenticate(ctx, t2); err != nil {
		t.Fatalf("a token not revoked: %v", err)
	}
	// another client may not revoke it; an unknown hint is an error
	if _, err := svc.RevokeToken(ctx, t2, "", "autre"); dsn.KindOf(err) != dsn.KindForbidden {
		t.Fatalf("another client's token: %v", err)
	}
	if _, err := svc.RevokeToken(ctx, t2, "id_token", ""); dsn.KindOf(err) != dsn.KindInvalid {
		t.Fatalf("unknown hint: %v", err)
	}
	// a client: its tokens, no new token
	if _, err := svc.DisableClient(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(access.RevocationTTL + time.Second)
	refused(t, other, sysTok)
	if _, _, _, err := other.ClientCredentials(ctx, c.ID, secret, ""); dsn.KindOf(err) != dsn.KindUnauthorized {
		t.Fatalf("token for a disabled client: %v", err)
	}
	// a user disabled then enabled: old tokens refused, new ones accepted
	if _, err := svc.DisableUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(access.RevocationTTL + time.Second)
	refused(t, other, t2)
	if _, err := svc.EnableUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	t3 := issue()
	if _, err := other.Authenticate(ctx, t3); err != nil {
		t.Fatalf("a token issued after enable: %v", err)
	}
	if _, err := other.Authenticate(ctx, t2); err == nil {
		t.Fatal("a token revoked by the disabling works again")
	}
	// revocation records go when nothing they refuse can still be alive
	clk.t = clk.t.Add(access.MaxAccessTTL + 2*time.Hour)
	third := access.New(access.Options{Records: st, Clock: clk})
	t4, _, _ := third.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.rs"), "app"), time.Hour)
	if _, err := third.Authenticate(ctx, t4); err != nil { // loads the revocations, deleting the expired ones
		t.Fatal(err)
	}
	if rs, err := st.ListRecords(ctx, "revocation"); err != nil || len(rs) != 0 {
		t.Fatalf("expired revocation records kept: %d %v", len(rs), err)
	}
}
