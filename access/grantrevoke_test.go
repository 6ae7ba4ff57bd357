package access_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"dsn"
	"dsn/access"
)

var grantVerifier = strings.Repeat("verifieur-", 5)

// grantFixture is a user signed in to an app through the authorization code
// flow (access level: no HTTP), with offline_access.
type grantFixture struct {
	svc    *access.Service
	user   access.User
	client access.Client
}

func newGrantFixture(t *testing.T, svc *access.Service, name string) grantFixture {
	t.Helper()
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, access.NewUser{Username: name, Role: access.RolePhysician, Establishment: "e"})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := svc.CreateClient(ctx, "appli "+name, "user/*.rs offline_access", []string{"http://127.0.0.1:9/cb"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return grantFixture{svc, u, c}
}

// authorize is client c's checked authorization request for scope, with
// the fixture's redirect URI and PKCE challenge (RFC 7636 §4.2, S256).
func (g grantFixture) authorize(t *testing.T, c access.Client, scope string) access.AuthorizeRequest {
	t.Helper()
	sum := sha256.Sum256([]byte(grantVerifier))
	ar, err := g.svc.CheckAuthorize(context.Background(), c.ID, "http://127.0.0.1:9/cb", "code",
		scope, base64.RawURLEncoding.EncodeToString(sum[:]), "S256")
	if err != nil {
		t.Fatal(err)
	}
	return ar
}

// code signs the user in: the one-time code of a new grant.
func (g grantFixture) code(t *testing.T) string {
	t.Helper()
	ar := g.authorize(t, g.client, "user/*.rs offline_access")
	code, err := g.svc.IssueCode(context.Background(), ar, g.user)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (g grantFixture) redeem(code string) (access.Tokens, error) {
	return g.svc.RedeemCode(context.Background(), g.client, code, "http://127.0.0.1:9/cb", grantVerifier)
}

func (g grantFixture) tokens(t *testing.T) access.Tokens {
	t.Helper()
	tk, err := g.redeem(g.code(t))
	if err != nil || tk.Refresh == "" {
		t.Fatalf("code exchange: %+v %v", tk, err)
	}
	return tk
}

// ended fails the test unless the grant is over for good: tk's access token
// refused, its refresh token refused, and code (issued before, not yet
// exchanged) gives no tokens. why names what ended it.
func (g grantFixture) ended(t *testing.T, tk access.Tokens, code, why string) {
	t.Helper()
	ctx := context.Background()
	if _, err := g.svc.Authenticate(ctx, tk.Access); dsn.KindOf(err) != dsn.KindUnauthorized {
		t.Errorf("an access token after %s: %v", why, err)
	}
	if _, err := g.svc.Refresh(ctx, g.client, tk.Refresh); err == nil {
		t.Errorf("a refresh token works after %s", why)
	}
	if _, err := g.redeem(code); err == nil {
		t.Errorf("a code issued before %s gives tokens", why)
	}
}

// RFC 7009 §2.1: revoking an access token revokes its grant — the refresh
// token and the access tokens issued from the same authorization code —
// and revoking a refresh token revokes the grant's access tokens. Another
// grant of the same user and client is untouched.
func TestRevokeTokenRevokesTheGrant(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	g := newGrantFixture(t, svc, "dr.grant")
	first := g.tokens(t)
	second, err := svc.Refresh(ctx, g.client, first.Refresh) // same family
	if err != nil {
		t.Fatal(err)
	}
	other := g.tokens(t) // another grant
	rv, err := svc.RevokeToken(ctx, first.Access, "access_token", g.client.ID)
	if err != nil || rv.Family == "" {
		t.Fatalf("RevokeToken: %+v %v", rv, err)
	}
	for _, tok := range []string{first.Access, second.Access} {
		if _, err := svc.Authenticate(ctx, tok); dsn.KindOf(err) != dsn.KindUnauthorized {
			t.Fatalf("an access token of the revoked grant: %v", err)
		}
	}
	if _, err := svc.Refresh(ctx, g.client, second.Refresh); dsn.KindOf(err) != dsn.KindNotFound {
		t.Fatalf("the refresh token of a revoked access token's grant: %v", err)
	}
	if _, err := svc.Authenticate(ctx, other.Access); err != nil {
		t.Fatalf("another grant: %v", err)
	}
	// the other way: a refresh token takes the grant's access tokens with it
	if _, err := svc.RevokeToken(ctx, other.Refresh, "", g.client.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, other.Access); dsn.KindOf(err) != dsn.KindUnauthorized {
		t.Fatalf("an access token of a revoked refresh token's grant: %v", err)
	}
}

// Disabling a user, disabling a client or deleting it leaves no usable
// token: access tokens refused, refresh tokens gone, and a code issued
// before (not yet exchanged) gives nothing.
func TestDisablingLeavesNoUsableToken(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		stop func(svc *access.Service, g grantFixture) error
	}{
		{"user disable", func(svc *access.Service, g grantFixture) error { _, err := svc.DisableUser(ctx, g.user.ID); return err }},
		{"client disable", func(svc *access.Service, g grantFixture) error {
			_, err := svc.DisableClient(ctx, g.client.ID)
			return err
		}},
		{"client delete", func(svc *access.Service, g grantFixture) error {
			_, err := svc.DeleteClient(ctx, g.client.ID)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, _, _ := newService(t)
			g := newGrantFixture(t, svc, "dr.arret")
			tk := g.tokens(t)
			code := g.code(t)
			if err := tc.stop(svc, g); err != nil {
				t.Fatal(err)
			}
			g.ended(t, tk, code, tc.name)
		})
	}
}
