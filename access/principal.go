// Package access is who may see what in DSN: users and clients, their tokens
// (OAuth 2.0 / SMART App Launch 2), and the authorisation policy of the LRSSS
// (need to know, break-the-glass, citizen restrictions). It speaks neither
// HTTP nor SQL: fhirapi and authapi carry it over HTTP, the stores keep its
// records (dsn.Records).
package access

import (
	"context"
	"time"
)

// Realm separates the staff from the citizens (separate accounts, separate
// login pages, separate token audiences of claims).
type Realm string

const (
	RealmStaff   Realm = "staff"
	RealmCitizen Realm = "citizen"
	RealmSystem  Realm = "system" // a back-end client (client_credentials)
)

// Principal is the authenticated caller of one request, read from its token.
// One returned by Authenticate is shared by every request of its token (the
// token cache): read it, never change it.
type Principal struct {
	Realm         Realm
	Subject       string   // user id, or client id for a back-end system
	Name          string   // display name, for the journal and the citizen's view
	Role          Role     // RoleSystem for back-end clients
	Establishment string   // the établissement (Organization id) the user works for
	Missions      []string // missions of the user's installations (CH, CLSC, CHSLD, CPEJ, CR)
	Locations     []string // Location ids of the units (ED, ward) the user is assigned to
	Practitioner  string   // the user's Practitioner id ("" if none)
	Patient       string   // for citizens, and the launch patient of a patient/ token
	Encounter     string   // the launch encounter (SMART EHR launch), "" for none
	ClientID      string   // the OAuth client the token was issued to
	Scopes        Scopes
	TokenID       string // jti, for the journal
	// Purpose is a back-end client's registered purpose of use (v3
	// PurposeOfUse, e.g. HRESCH for research; "" = HOPERAT): s. 8 refusals
	// of research bar a research client.
	Purpose string
	// Family is the refresh token family the token was issued from ("" for
	// client credentials and dsn token), IssuedAt its iat: revocations by
	// family, user or client refuse tokens issued before a cut-off (revoke.go).
	Family   string
	IssuedAt time.Time
	// agent is Agent's string, kept with a cached token's principal
	// (tokenCache.put): the journal names the agent on every request, and
	// building "client:"+id was one allocation per request (session 10).
	agent string
}

// PurposeResearch is the v3 PurposeOfUse of research (HRESCH).
const PurposeResearch = "HRESCH"

// purposes are the purposes of use a client may be registered with
// (v3-PurposeOfUse): operations, treatment, research, public health.
var purposes = map[string]bool{"HOPERAT": true, "TREAT": true, PurposeResearch: true, "PUBHLTH": true}

// Agent is the journal's name for the principal: "user:ID" or "client:ID".
func (p *Principal) Agent() string {
	prefix := "user:"
	if p.Realm == RealmSystem {
		prefix = "client:"
	}
	// the kept string only while it still names this realm and subject
	// (a copy whose Subject or Realm was changed builds its own)
	if a := p.agent; len(a) == len(prefix)+len(p.Subject) && a[:len(prefix)] == prefix && a[len(prefix):] == p.Subject {
		return a
	}
	return prefix + p.Subject
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFrom returns the principal of ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
