package access_test

import (
	"context"
	"testing"

	"dsn"
	"dsn/access"
)

// A remembered consent covers the same scopes and fewer, not more; a
// trusted client needs none; withdrawing it asks again and refuses the
// app's tokens for that user (not another app's).
func TestAppConsent(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	g := newGrantFixture(t, svc, "dr.consent")
	ask := func(c access.Client, scope string) access.AuthorizeRequest { return g.authorize(t, c, scope) }
	ar := ask(g.client, "user/Observation.rs user/Condition.rs offline_access")
	if !svc.ConsentNeeded(ctx, ar, g.user) {
		t.Fatal("no consent asked the first time")
	}
	if err := svc.RememberConsent(ctx, ar, g.user); err != nil {
		t.Fatal(err)
	}
	for scope, want := range map[string]bool{
		"user/Observation.rs user/Condition.rs offline_access": false, // the same
		"user/Observation.r":                    false, // fewer
		"user/Observation.rs user/Patient.rs":   true,  // another type
		"user/*.rs":                             true,  // wider
		"user/Observation.rs user/Condition.rs": false,
	} {
		if got := svc.ConsentNeeded(ctx, ask(g.client, scope), g.user); got != want {
			t.Errorf("ConsentNeeded(%q) = %v, want %v", scope, got, want)
		}
	}
	other := newGrantFixture(t, svc, "dr.autre")
	if !svc.ConsentNeeded(ctx, ask(g.client, "user/Observation.r"), other.user) {
		t.Error("a consent of one user serves another")
	}
	trusted, err := svc.SetClientTrusted(ctx, other.client.ID, true)
	if err != nil || svc.ConsentNeeded(ctx, ask(trusted, "user/*.rs"), g.user) {
		t.Errorf("trusted client asks for consent: %v", err)
	}
	// withdrawal: the app's tokens refused, another app's kept, asked again
	tk := g.tokens(t)
	code := g.code(t) // not exchanged before the withdrawal
	otherApp, _, _ := svc.IssueAccess(ctx, access.UserPrincipal(g.user, access.MustScopes("user/*.rs"), trusted.ID), 0)
	if cs, err := svc.Consents(ctx, g.user.ID); err != nil || len(cs) != 1 || cs[0].Client != g.client.ID {
		t.Fatalf("Consents: %+v %v", cs, err)
	}
	if err := svc.WithdrawConsent(ctx, g.user.ID, g.client.ID); err != nil {
		t.Fatal(err)
	}
	g.ended(t, tk, code, "the withdrawal")
	if _, err := svc.Authenticate(ctx, otherApp); err != nil {
		t.Errorf("another app's token: %v", err)
	}
	if !svc.ConsentNeeded(ctx, ar, g.user) {
		t.Error("not asked again after a withdrawal")
	}
	if err := svc.WithdrawConsent(ctx, g.user.ID, g.client.ID); dsn.KindOf(err) != dsn.KindNotFound {
		t.Errorf("withdraw twice: %v", err)
	}
}
