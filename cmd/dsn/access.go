package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
)

// Access control from the command line (DESIGN.md §4): dsn client create,
// dsn user create, dsn token. They write to the store the server reads, so
// their results work at once on a server running on the same store.

// clientDone names the confirmation of each `dsn client` verb (cliWords).
var clientDone = map[string]string{"disable": "client.disabled", "enable": "client.enabled",
	"trust": "client.trusted", "untrust": "client.untrusted", "delete": "client.deleted"}

// accessService opens the access service on st (which must keep dsn.Records).
func accessService(st dsn.Store, issuer string) (*access.Service, error) {
	rs, ok := st.(dsn.Records)
	if !ok {
		return nil, refusal("no-records", st)
	}
	return access.New(access.Options{Records: rs, Issuer: issuer}), nil
}

// withAccessStore opens the store named by the flags and its access service.
func withAccessStore(ctx context.Context, sc StoreConfig, fn func(*access.Service) error) error {
	return withAccess(ctx, sc, func(_ dsn.Store, svc *access.Service) error { return fn(svc) })
}

// withAccess is withAccessStore for commands that also need the store itself
// (its journal, its records).
func withAccess(ctx context.Context, sc StoreConfig, fn func(dsn.Store, *access.Service) error) error {
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	svc, err := accessService(st, "")
	if err == nil {
		err = fn(st, svc)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// journalOperator records an operator's command (dsn token, dsn token revoke)
// in the access journal, strictly, before its result is shown.
func journalOperator(ctx context.Context, st dsn.Store, env Env, e audit.Entry) error {
	e.Time, e.Agent, e.Role, e.Purpose = time.Now().UTC(), "operator:"+envOr(env, "USER", "inconnu"), "operator", "HOPERAT"
	j := audit.Open(audit.Options{Journal: st.(dsn.Journal)})
	err := j.Record(ctx, e)
	j.Close()
	return err
}

func runClient(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && (args[0] == "disable" || args[0] == "enable" || args[0] == "delete" || args[0] == "trust" || args[0] == "untrust") {
		return runClientSwitch(ctx, args[0], args[1:], env)
	}
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(env.Stderr, "usage: dsn client create --name N --scope S [--purpose HRESCH] [--missions CPEJ] [--redirect-uri URI] [--public] [--trusted] [--data DIR | --db URL]\n       dsn client disable|enable|delete|trust|untrust --id CLIENT_ID")
		return errUsage
	}
	fs := newFlags("client create", env)
	var sc StoreConfig
	sc.register(fs, env)
	name := fs.String("name", "", "the client's name")
	scope := fs.String("scope", "", "the most its tokens may carry, e.g. 'system/*.rs' (SMART v2 scopes)")
	redirect := fs.String("redirect-uri", "", "redirect URIs of an app (comma-separated), for the authorization code flow")
	public := fs.Bool("public", false, "a public app (PKCE, no secret)")
	purpose := fs.String("purpose", "", "a back-end system's purpose of use: HOPERAT (default), TREAT, HRESCH (research: citizens' refusals apply) or PUBHLTH")
	missions := fs.String("missions", "", "missions the system serves (comma-separated); CPEJ opens youth protection files")
	trusted := fs.Bool("trusted", false, "a first-party or EHR-launch app: its users are not asked to consent (the operator vouches for it)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	var uris []string
	if *redirect != "" {
		uris = strings.Split(*redirect, ",")
	}
	if err := access.CheckPurpose(*purpose); err != nil {
		return err
	}
	return withAccessStore(ctx, sc, func(svc *access.Service) error {
		c, secret, err := svc.CreateClient(ctx, *name, *scope, uris, *public)
		if err != nil {
			return err
		}
		if *purpose != "" || *missions != "" {
			var ms []string
			if *missions != "" {
				ms = strings.Split(*missions, ",")
			}
			if _, err := svc.SetClientUse(ctx, c.ID, *purpose, ms); err != nil {
				return err
			}
		}
		if *trusted {
			if _, err := svc.SetClientTrusted(ctx, c.ID, true); err != nil {
				return err
			}
		}
		out := map[string]string{"client_id": c.ID}
		if secret != "" {
			out["client_secret"] = secret
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	})
}

// runClientSwitch: dsn client disable|enable|delete --id ID. Disabled or
// deleted, the client gets no token and its tokens already issued are
// refused (by every server on the store from its next request, decision
// 0013), and its running $export jobs stop and fail.
// Deleted, it cannot be enabled again; its record stays so that the
// journal's entries still name it. trust|untrust: whether its users are
// asked to consent (authapi consent page; trusted: a first-party or EHR app).
func runClientSwitch(ctx context.Context, verb string, args []string, env Env) error {
	sc, id, err := parseOneFlag("client", verb, args, env, "id", "the client_id", "client.id")
	if err != nil {
		return err
	}
	return withAccessStore(ctx, sc, func(svc *access.Service) error {
		var c access.Client
		var err error
		switch verb {
		case "disable":
			c, err = svc.DisableClient(ctx, id)
		case "enable":
			c, err = svc.EnableClient(ctx, id)
		case "trust", "untrust":
			c, err = svc.SetClientTrusted(ctx, id, verb == "trust")
			if dsn.KindOf(err) == dsn.KindNotFound {
				err = cliFail("client "+verb, dsn.KindNotFound, "client.unknown", id)
			}
		default:
			verb = "delete"
			c, err = svc.DeleteClient(ctx, id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, say(env, clientDone[verb], c.ID, c.Name))
		return nil
	})
}

func runUser(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && (args[0] == "disable" || args[0] == "enable") {
		return runUserSwitch(ctx, args[0], args[1:], env)
	}
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(env.Stderr, "usage: dsn user create --username U --role R --establishment E [--practitioner ID] [--patient ID] [--password-stdin]\n       dsn user disable|enable --username U")
		return errUsage
	}
	fs := newFlags("user create", env)
	var sc StoreConfig
	sc.register(fs, env)
	var nu access.NewUser
	fs.StringVar(&nu.Username, "username", "", "sign-in name")
	role := fs.String("role", "", "physician, nurse, pharmacist, archivist, admin, privacy-officer, researcher or citizen")
	fs.StringVar(&nu.Establishment, "establishment", "", "the Organization id of the user's établissement (staff)")
	fs.StringVar(&nu.Practitioner, "practitioner", "", "the user's Practitioner id (clinicians)")
	fs.StringVar(&nu.Patient, "patient", "", "the citizen's own Patient id (role citizen)")
	fs.StringVar(&nu.Name, "name", "", "display name")
	missions := fs.String("missions", "", "missions of the user's installations, comma-separated (CH, CLSC, CHSLD, CPEJ, CR)")
	locations := fs.String("locations", "", "Location ids of the units the user is assigned to (ED, ward), comma-separated")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	r, err := access.ParseRole(*role)
	if err != nil {
		return dsn.Errorf("user", dsn.KindInvalid, "%v", err)
	}
	nu.Role, nu.Missions, nu.Locations = r, splitList(*missions), splitList(*locations)
	if *stdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		nu.Password = strings.TrimRight(line, "\r\n")
	}
	return withAccessStore(ctx, sc, func(svc *access.Service) error {
		u, err := svc.CreateUser(ctx, nu)
		if err != nil {
			return err
		}
		return json.NewEncoder(env.Stdout).Encode(map[string]string{"id": u.ID, "username": u.Username, "role": string(u.Role), "realm": string(u.Realm)})
	})
}

// runUserSwitch: dsn user disable|enable --username U. Disabled, the user
// can no longer sign in nor get a token, and the tokens already issued stop
// working (by every server on the store from its next request, decision
// 0013). Enabled again, they sign in and get new tokens; the
// tokens revoked by the disabling stay refused.
func runUserSwitch(ctx context.Context, verb string, args []string, env Env) error {
	sc, username, err := parseOneFlag("user", verb, args, env, "username", "the user's sign-in name (staff, else citizen)", "user.username")
	if err != nil {
		return err
	}
	return withAccessStore(ctx, sc, func(svc *access.Service) error {
		u, err := findUser(ctx, svc, username)
		if err != nil {
			return err
		}
		if verb == "enable" {
			if _, err := svc.EnableUser(ctx, u.ID); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, say(env, "user.enabled", u.Username))
			return nil
		}
		if _, err := svc.DisableUser(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, say(env, "user.disabled", u.Username))
		return nil
	})
}

// findUser looks a username up among the staff, then the citizens.
func findUser(ctx context.Context, svc *access.Service, username string) (access.User, error) {
	u, err := svc.UserByName(ctx, access.RealmStaff, username)
	if dsn.KindOf(err) == dsn.KindNotFound {
		u, err = svc.UserByName(ctx, access.RealmCitizen, username)
	}
	return u, err
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func runToken(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && args[0] == "revoke" {
		return runTokenRevoke(ctx, args[1:], env)
	}
	fs := newFlags("token", env)
	var sc StoreConfig
	sc.register(fs, env)
	user := fs.String("user", "", "the username (staff, else citizen) the token is for")
	scope := fs.String("scope", "", "the scopes, narrowed to what the role allows (default: all of them)")
	ttl := fs.Duration("ttl", 15*time.Minute, "lifetime of the token (at most 12h)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return cliFail("token", dsn.KindInvalid, "token.user")
	}
	if *ttl <= 0 || *ttl > 12*time.Hour {
		return cliFail("token", dsn.KindInvalid, "token.ttl")
	}
	return withAccess(ctx, sc, func(st dsn.Store, svc *access.Service) error {
		tok, err := userToken(ctx, svc, *user, *scope, *ttl)
		if err != nil {
			return err
		}
		// an operator minting a token for someone is journaled before it is shown
		err = journalOperator(ctx, st, env, audit.Entry{Action: "token", Interaction: "dsn token",
			Query: "user=" + *user + " scope=" + *scope + " ttl=" + ttl.String()})
		if err != nil {
			return refusalOf(err, "journal.token")
		}
		fmt.Fprintln(env.Stdout, tok)
		return nil
	})
}

// userToken mints an access token for a user, as "dsn token" does.
func userToken(ctx context.Context, svc *access.Service, username, scope string, ttl time.Duration) (string, error) {
	u, err := findUser(ctx, svc, username)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", cliFail("token", dsn.KindForbidden, "token.disabled", username)
	}
	info, _ := u.Role.Info()
	sc := info.Ceiling
	if scope != "" {
		if sc, err = access.ParseScopes(scope); err != nil {
			return "", dsn.Errorf("token", dsn.KindInvalid, "%v", err)
		}
	}
	p := access.UserPrincipal(u, sc, "dsn-cli")
	if len(p.Scopes.Resources) == 0 {
		return "", cliFail("token", dsn.KindForbidden, "token.scopes", u.Role, scope)
	}
	tok, _, err := svc.IssueAccess(ctx, p, ttl)
	return tok, err
}

// runTokenRevoke: dsn token revoke [--jti ID]. Without --jti the token (an
// access token or a refresh token) is read from the first line of standard
// input, never from a flag (flags show in process lists). A token is
// revoked with its whole family (access.Service.RevokeToken); --jti alone
// revokes that access token only (its family is not in the jti). The
// revocation is journaled; a server on the same store refuses the token at
// on its next request (the store's revocation signal, decision 0013).
func runTokenRevoke(ctx context.Context, args []string, env Env) error {
	fs := newFlags("token revoke", env)
	var sc StoreConfig
	sc.register(fs, env)
	jti := fs.String("jti", "", "the jti of an access token to revoke (else the token is read from standard input)")
	if err := parse(fs, args); err != nil {
		return err
	}
	token := ""
	if *jti == "" {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if token = strings.TrimSpace(line); token == "" {
			return cliFail("token revoke", dsn.KindInvalid, "revoke.stdin")
		}
	}
	return withAccess(ctx, sc, func(st dsn.Store, svc *access.Service) error {
		rv := access.Revoked{Type: "access_token", ID: *jti}
		var err error
		if *jti != "" {
			err = svc.RevokeTokenID(ctx, *jti)
		} else {
			rv, err = svc.RevokeToken(ctx, token, "", "")
		}
		if dsn.KindOf(err) == dsn.KindNotFound {
			return cliFail("token revoke", dsn.KindNotFound, "revoke.unknown")
		}
		if err != nil {
			return err
		}
		err = journalOperator(ctx, st, env, audit.Entry{Action: "revoke", Interaction: "dsn token revoke",
			Query: rv.Type + " " + rv.ID + " " + rv.Agent, Patient: rv.Patient, Client: rv.Client})
		if err != nil {
			return refusalOf(err, "journal.revoke")
		}
		switch {
		case rv.Type == "refresh_token":
			fmt.Fprintln(env.Stdout, say(env, "revoked.refresh", rv.ID))
		case rv.Family != "":
			fmt.Fprintln(env.Stdout, say(env, "revoked.family", rv.ID, rv.Family))
		default:
			fmt.Fprintln(env.Stdout, say(env, "revoked.access", rv.ID))
		}
		return nil
	})
}

// parseOneFlag parses the flags of `dsn CMD VERB`: the store's and one
// required string flag, whose absence is the refusal missing (an id of cliWords).
func parseOneFlag(cmd, verb string, args []string, env Env, name, usage, missing string) (StoreConfig, string, error) {
	fs := newFlags(cmd+" "+verb, env)
	var sc StoreConfig
	sc.register(fs, env)
	v := fs.String(name, "", usage)
	if err := parse(fs, args); err != nil {
		return sc, "", err
	}
	if *v == "" {
		return sc, "", cliFail(cmd, dsn.KindInvalid, missing)
	}
	return sc, *v, nil
}

// runConsent: dsn consent list|withdraw --username U [--realm citizen]
// [--client ID]. The apps a user authorised on the consent page
// (access/appconsent.go); withdrawing one revokes every token that app
// holds for the user, and its next authorisation asks again. The same as
// GET /auth/consents and POST /auth/consents/withdraw for the user
// themself; journaled as the operator's.
func runConsent(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "withdraw") {
		fmt.Fprintln(env.Stderr, "usage: dsn consent list --username U [--realm staff|citizen]\n       dsn consent withdraw --username U --client CLIENT_ID [--realm staff|citizen]")
		return errUsage
	}
	fs := newFlags("consent "+args[0], env)
	var sc StoreConfig
	sc.register(fs, env)
	username := fs.String("username", "", "the user")
	realm := fs.String("realm", "staff", "staff or citizen")
	client := fs.String("client", "", "the client_id of the app (withdraw)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" || (args[0] == "withdraw" && *client == "") {
		return cliFail("consent", dsn.KindInvalid, "consent.flags")
	}
	return withAccess(ctx, sc, func(st dsn.Store, svc *access.Service) error {
		u, err := svc.UserByName(ctx, access.Realm(*realm), *username)
		if err != nil {
			return cliFail("consent", dsn.KindNotFound, "consent.user", *username)
		}
		if args[0] == "list" {
			cs, err := svc.Consents(ctx, u.ID)
			if err != nil {
				return err
			}
			for _, c := range cs {
				fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", c.Client, c.ClientName, c.Updated.UTC().Format(time.RFC3339), strings.Join(c.Scopes, " | "))
			}
			return nil
		}
		if err := svc.WithdrawConsent(ctx, u.ID, *client); err != nil {
			return err
		}
		err = journalOperator(ctx, st, env, audit.Entry{Action: "consent-withdraw", Interaction: "dsn consent withdraw",
			Query: "user:" + u.ID + " client:" + *client, Client: *client})
		if err != nil {
			return refusalOf(err, "journal.consent")
		}
		fmt.Fprintln(env.Stdout, say(env, "consent.withdrawn", *username, *client))
		return nil
	})
}
