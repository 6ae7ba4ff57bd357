package access_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/access"
)

func TestScopes(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"patient/Observation.rs", "patient/Observation.rs", ""},
		{"user/*.cruds openid fhirUser", "openid fhirUser user/*.cruds", ""},
		{"patient/*.read", "patient/*.rs", ""},
		{"system/*.*", "system/*.cruds", ""},
		{"user/*.write", "user/*.cud", ""},
		{"patient/Observation.sr", "", "permissions invalides"},
		{"patient/Observation.rr", "", "permissions invalides"},
		{"patient/Observation.x", "", "permissions invalides"},
		{"patient/Observation.", "", "sans permission"},
		{"admin/*.rs", "", "portée inconnue"},
		{"patient/observation.rs", "", "mal formée"},
		{"patient/Observation.rs?category=vital-signs", "", "restriction de requête"},
		{"launch/encounter", "", "portée inconnue"},
	} {
		got, err := access.ParseScopes(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseScopes(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("ParseScopes(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestScopesAllowsAndNarrow(t *testing.T) {
	s := access.MustScopes("patient/Observation.rs user/Patient.r")
	if ok, po := s.Allows("Observation", access.PermRead); !ok || !po {
		t.Errorf("patient/Observation.rs: read ok=%v patientOnly=%v", ok, po)
	}
	if ok, po := s.Allows("Patient", access.PermRead); !ok || po {
		t.Errorf("user/Patient.r: read ok=%v patientOnly=%v", ok, po)
	}
	if ok, _ := s.Allows("Observation", access.PermCreate); ok {
		t.Error("no scope grants create")
	}
	for _, tc := range []struct{ req, ceiling, want string }{
		{"user/*.cruds", "user/*.rs", "user/*.rs"},
		{"user/*.cruds openid", "user/*.rs user/Patient.cruds", "user/*.rs user/Patient.cud"},
		{"system/*.cruds", "user/*.cruds", ""},
		{"user/Observation.cruds", "user/*.rs", "user/Observation.rs"},
		{"openid fhirUser", "openid", "openid"},
		{"patient/*.rs", "patient/Observation.rs patient/Condition.r", "patient/Observation.rs patient/Condition.r"},
	} {
		got := access.MustScopes(tc.req).Narrow(access.MustScopes(tc.ceiling)).String()
		if got != tc.want {
			t.Errorf("Narrow(%q, %q) = %q, want %q", tc.req, tc.ceiling, got, tc.want)
		}
	}
}

func TestPassword(t *testing.T) {
	h, err := access.HashPassword("correct horse battery")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("HashPassword = %q, %v", h, err)
	}
	if !access.CheckPassword(h, "correct horse battery") || access.CheckPassword(h, "correct horse batterY") {
		t.Error("CheckPassword does not tell right from wrong")
	}
	if _, err := access.HashPassword("short"); err == nil {
		t.Error("short password accepted")
	}
	if access.CheckPassword("$argon2id$v=19$m=999999999,t=2,p=1$AAAA$AAAA", "x") {
		t.Error("absurd parameters accepted")
	}
}

func TestUsersAndClients(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	u, err := svc.CreateUser(ctx, access.NewUser{Username: "Dr.Tremblay", Role: access.RolePhysician, Establishment: "org-ciusss-mcq", Password: "un mot de passe long"})
	if err != nil || u.Username != "dr.tremblay" || u.Realm != access.RealmStaff {
		t.Fatalf("CreateUser = %+v, %v", u, err)
	}
	if _, err := svc.CreateUser(ctx, access.NewUser{Username: "dr.tremblay", Role: access.RoleNurse, Establishment: "x"}); dsn.KindOf(err) != dsn.KindConflict {
		t.Errorf("duplicate username: %v", err)
	}
	if _, err := svc.CreateUser(ctx, access.NewUser{Username: "marie", Role: access.RoleCitizen}); dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("citizen without patient: %v", err)
	}
	if _, err := svc.CreateUser(ctx, access.NewUser{Username: "x", Role: "god", Establishment: "e"}); dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("unknown role: %v", err)
	}
	got, err := svc.UserByName(ctx, access.RealmStaff, "DR.TREMBLAY")
	if err != nil || got.ID != u.ID || !access.CheckPassword(got.PasswordHash, "un mot de passe long") {
		t.Fatalf("UserByName = %+v, %v", got, err)
	}
	c, secret, err := svc.CreateClient(ctx, "labo", "system/Observation.cru system/Patient.rs", nil, false)
	if err != nil || len(secret) < 40 || c.SecretHash == "" || strings.Contains(c.SecretHash, secret) {
		t.Fatalf("CreateClient = %+v %q %v", c, secret, err)
	}
	if _, err := svc.AuthenticateClient(ctx, c.ID, secret+"x"); dsn.KindOf(err) != dsn.KindUnauthorized {
		t.Errorf("wrong secret: %v", err)
	}
	if _, _, err := svc.CreateClient(ctx, "bad", "system/*.zz", nil, false); dsn.KindOf(err) != dsn.KindInvalid {
		t.Errorf("bad scope: %v", err)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := newService(t)
	c, secret, _ := svc.CreateClient(ctx, "labo", "system/Observation.cru", nil, false)
	tok, p, exp, err := svc.ClientCredentials(ctx, c.ID, secret, "system/*.cruds")
	if err != nil || p.Scopes.String() != "system/Observation.cru" || !exp.After(clk.t) {
		t.Fatalf("ClientCredentials = %v %v %v", p, exp, err)
	}
	got, err := svc.Authenticate(ctx, tok)
	if err != nil || got.Subject != c.ID || got.Role != access.RoleSystem || got.Scopes.String() != "system/Observation.cru" {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	// a second service on the same store (another process: dsn token) makes
	// its own key; the first accepts its tokens at once
	other := access.New(access.Options{Records: st, Clock: clk})
	u, _ := other.CreateUser(ctx, access.NewUser{Username: "inf", Role: access.RoleNurse, Establishment: "e"})
	tok2, _, err := other.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.cruds"), ""), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Authenticate(ctx, tok2); err != nil || p.Scopes.String() != "user/*.crus" {
		t.Fatalf("token of another process: %+v, %v (nurse ceiling: user/*.crus)", p, err)
	}
	// tampering: any changed byte of the payload or signature is refused
	parts := strings.Split(tok, ".")
	for i, bad := range []string{
		parts[0] + "." + parts[1] + "x." + parts[2],
		parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-2] + "AA",
		parts[0] + "." + parts[1],
		"",
		strings.Repeat("a", 9000),
		"eyJhbGciOiJub25lIn0." + parts[1] + ".",
	} {
		if _, err := svc.Authenticate(ctx, bad); dsn.KindOf(err) != dsn.KindUnauthorized {
			t.Errorf("tampered token %d accepted: %v", i, err)
		}
	}
	// expiry
	clk.t = clk.t.Add(16 * time.Minute)
	if _, err := svc.Authenticate(ctx, tok); dsn.KindOf(err) != dsn.KindUnauthorized || !strings.Contains(err.Error(), "exp") ||
		dsn.Message(err) != "jeton d'accès expiré: demandez-en un nouveau" || dsn.EnglishMessage(err) != "access token expired: ask for a new one" {
		t.Errorf("expired token: %v (%q / %q)", err, dsn.Message(err), dsn.EnglishMessage(err))
	}
	// wrong audience and issuer
	elsewhere := access.New(access.Options{Records: st, Clock: clk, Audience: "urn:other"})
	tok3, _, _ := elsewhere.IssueAccess(ctx, access.UserPrincipal(u, access.MustScopes("user/*.rs"), ""), 0)
	if _, err := svc.Authenticate(ctx, tok3); dsn.KindOf(err) != dsn.KindUnauthorized || !strings.Contains(err.Error(), "aud") {
		t.Errorf("wrong audience: %v", err)
	}
}

func FuzzAuthenticate(f *testing.F) {
	svc := access.New(access.Options{Records: openSQLite(f, f.TempDir())})
	ctx := context.Background()
	c, secret, _ := svc.CreateClient(ctx, "x", "system/*.rs", nil, false)
	tok, _, _, _ := svc.ClientCredentials(ctx, c.ID, secret, "")
	f.Add(tok)
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJFUzI1NiJ9.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := svc.Authenticate(ctx, s)
		if err == nil && s != tok {
			t.Fatalf("accepted a token that was not issued: %q (%+v)", s, p)
		}
	})
}

// Disabling a user stops their tokens at once in this process and within
// RevocationTTL in another one (a second Service on the same store).
func TestDisableUserRevokesTokens(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := newService(t)
	other := access.New(access.Options{Records: st, Clock: clk})
	u, tok := signedIn(t, svc, "dr.partie", "")
	for _, s := range []*access.Service{svc, other} {
		if _, err := s.Authenticate(ctx, tok); err != nil {
			t.Fatalf("before: %v", err)
		}
	}
	if _, err := svc.DisableUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, tok); dsn.KindOf(err) != dsn.KindUnauthorized || !strings.Contains(err.Error(), "désactivé") {
		t.Fatalf("same process after disable: %v", err)
	}
	clk.t = clk.t.Add(access.RevocationTTL + time.Second)
	refused := false
	for range 200 { // the stale set is reloaded in the background
		if _, err := other.Authenticate(ctx, tok); dsn.KindOf(err) == dsn.KindUnauthorized {
			refused = true
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !refused {
		t.Fatal("another process still accepts the token after RevocationTTL")
	}
	if _, err := svc.SignIn(ctx, access.RealmStaff, "dr.partie", "x"); err == nil {
		t.Fatal("a disabled user signs in")
	}
}

// Failed sign-ins are throttled per account and per address; the right
// password does not get through a throttled account; the window frees it.
func TestSignInThrottle(t *testing.T) {
	ctx := context.Background()
	svc, _, clk := newService(t)
	if _, err := svc.CreateUser(ctx, access.NewUser{Username: "dr.cible", Role: access.RolePhysician, Establishment: "e", Password: "un mot de passe solide"}); err != nil {
		t.Fatal(err)
	}
	for i := range access.AccountFailures {
		if _, err := svc.SignInFrom(ctx, access.RealmStaff, "dr.cible", "mauvais", fmt.Sprintf("10.0.0.%d", i)); dsn.KindOf(err) != dsn.KindUnauthorized {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	_, err := svc.SignInFrom(ctx, access.RealmStaff, "dr.cible", "un mot de passe solide", "10.0.1.1")
	if !errors.Is(err, access.ErrThrottled) || !strings.Contains(dsn.Message(err), "réessayez dans 15 minutes") {
		t.Fatalf("throttled account, right password: %v", err)
	}
	clk.t = clk.t.Add(access.ThrottleWindow)
	if _, err := svc.SignInFrom(ctx, access.RealmStaff, "dr.cible", "un mot de passe solide", "10.0.1.1"); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	// one address trying many accounts
	for i := range access.AddressFailures {
		svc.SignInFrom(ctx, access.RealmStaff, fmt.Sprintf("inconnu%d", i), "x", "192.0.2.7")
	}
	if _, err := svc.SignInFrom(ctx, access.RealmStaff, "dr.cible", "un mot de passe solide", "192.0.2.7"); !errors.Is(err, access.ErrThrottled) {
		t.Fatalf("throttled address: %v", err)
	}
	if _, err := svc.SignInFrom(ctx, access.RealmStaff, "dr.cible", "un mot de passe solide", "192.0.2.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}
