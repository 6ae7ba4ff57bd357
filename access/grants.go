package access

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"dsn"
)

// Grant is one break-the-glass: a clinician without a care relationship
// states a reason and reads the record for a limited time; privacy officers
// see the grant at once and review it afterwards.
type Grant struct {
	ID         string    `json:"id"`
	User       string    `json:"user"` // the principal's Subject
	Agent      string    `json:"agent"`
	Name       string    `json:"name,omitempty"`
	Role       Role      `json:"role"`
	Patient    string    `json:"patient"`
	Reason     string    `json:"reason"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	ReviewedBy string    `json:"reviewedBy,omitempty"`
	ReviewedAt time.Time `json:"reviewedAt,omitzero"`
	Review     string    `json:"review,omitempty"` // justified | unjustified, with a note
}

// Active tells whether the grant opens the record at now.
func (g *Grant) Active(now time.Time) bool { return !now.Before(g.Start) && now.Before(g.End) }

// BreakGlassTTL is how long a grant lasts.
const BreakGlassTTL = 4 * time.Hour

// BreakGlass records a break-the-glass of p on patient with reason.
// Errors: KindForbidden (role without it), KindInvalid (no real reason).
func (s *Service) BreakGlass(ctx context.Context, p *Principal, patient, reason string) (Grant, error) {
	const op = "access.BreakGlass"
	info, _ := p.Role.Info()
	if !info.BreakGlass {
		return Grant{}, errorf(op, dsn.KindForbidden, "breakglass.role", p.Role.Label())
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 10 || len(reason) > 2000 {
		return Grant{}, errorf(op, dsn.KindInvalid, "breakglass.reason")
	}
	now := s.clock.Now()
	g := Grant{ID: newID(), User: p.Subject, Agent: p.Agent(), Name: p.Name, Role: p.Role, Patient: patient,
		Reason: reason, Start: now, End: now.Add(BreakGlassTTL)}
	return g, s.put(ctx, kindGrant, g.ID, p.Subject, g)
}

// Grants returns the break-the-glass grants of one user.
func (s *Service) Grants(ctx context.Context, user string) ([]Grant, error) {
	rs, err := s.records.FindRecords(ctx, kindGrant, user)
	return decodeGrants(rs, err)
}

// AllGrants returns every grant (the privacy officer's review list).
func (s *Service) AllGrants(ctx context.Context) ([]Grant, error) {
	rs, err := s.records.ListRecords(ctx, kindGrant)
	return decodeGrants(rs, err)
}

// ReviewGrant records a privacy officer's review of a grant.
func (s *Service) ReviewGrant(ctx context.Context, reviewer *Principal, id, verdict string) (Grant, error) {
	const op = "access.ReviewGrant"
	if reviewer.Role != RolePrivacyOfficer {
		return Grant{}, errorf(op, dsn.KindForbidden, "breakglass.review")
	}
	var g Grant
	if err := s.get(ctx, kindGrant, id, &g); err != nil {
		return Grant{}, err
	}
	g.ReviewedBy, g.ReviewedAt, g.Review = reviewer.Agent(), s.clock.Now(), verdict
	return g, s.put(ctx, kindGrant, g.ID, g.User, g)
}

func decodeGrants(rs []dsn.Record, err error) ([]Grant, error) {
	if err != nil {
		return nil, err
	}
	out := make([]Grant, 0, len(rs))
	for _, r := range rs {
		var g Grant
		if json.Unmarshal(r.Body, &g) == nil {
			out = append(out, g)
		}
	}
	return out, nil
}
