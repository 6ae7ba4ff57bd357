package access

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Restriction is one person's s. 7 restriction or s. 8 refusal, read from a
// FHIR Consent (docs/decisions/0010-access-policy.md):
//
//	Consent.status = active, Consent.patient = the person,
//	provision (and each nested provision) of type "deny":
//	  actor.reference "Practitioner/x" (a named provider) or
//	  actor.reference.identifier {system: CategorySystem, value: role} (a category),
//	  or "Organization/x" (an establishment's staff); no actor: everyone;
//	  class: resource types (system http://hl7.org/fhir/resource-types);
//	  data.reference: specific items; none of both: the whole record;
//	  purpose HRESCH (v3-ActReason): a refusal of research use (s. 8(4));
//	  period: when it applies.
type Restriction struct {
	Consent   string // the Consent id
	Patient   string
	Refusal   bool     // s. 8 (research): break-the-glass does not lift it
	Providers []string // Practitioner/x, Organization/x
	Roles     []Role   // categories of providers
	Types     []string // resource types ("" none: see Items)
	Items     []string // Type/id
	Start     time.Time
	End       time.Time
}

// CategorySystem names a category of providers in Consent.provision.actor.
const CategorySystem = "urn:dsn:categorie-intervenant"

// ClientSystem names a back-end client (its client_id) in
// Consent.provision.actor.reference.identifier: a restriction on one system.
const ClientSystem = "urn:dsn:client"

// Covers tells whether the restriction applies to r.
func (x Restriction) Covers(r ResourceInfo) bool {
	if len(x.Types) == 0 && len(x.Items) == 0 {
		return true
	}
	return slices.Contains(x.Types, r.Type) || slices.Contains(x.Items, r.Type+"/"+r.ID)
}

// Targets tells whether p is one of those the restriction bars.
func (x Restriction) Targets(p *Principal) bool {
	if x.Refusal {
		return p.Role == RoleResearcher || p.Purpose == PurposeResearch
	}
	if len(x.Providers) == 0 && len(x.Roles) == 0 {
		return p.Role != RoleCitizen && p.Role != RoleSystem
	}
	return slices.Contains(x.Roles, p.Role) ||
		p.Realm == RealmSystem && slices.Contains(x.Providers, "client:"+p.ClientID) ||
		p.Practitioner != "" && slices.Contains(x.Providers, "Practitioner/"+p.Practitioner) ||
		p.Establishment != "" && slices.Contains(x.Providers, "Organization/"+p.Establishment)
}

// InForce tells whether now is within the restriction's period.
func (x Restriction) InForce(now time.Time) bool {
	return (x.Start.IsZero() || !now.Before(x.Start)) && (x.End.IsZero() || now.Before(x.End))
}

type consentDoc struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	Patient      struct {
		Reference string `json:"reference"`
	} `json:"patient"`
	Provision *provision `json:"provision"`
}

type provision struct {
	Type   string `json:"type"`
	Period *struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"period"`
	Actor []struct {
		Reference struct {
			Reference  string `json:"reference"`
			Identifier *struct {
				System string `json:"system"`
				Value  string `json:"value"`
			} `json:"identifier"`
		} `json:"reference"`
	} `json:"actor"`
	Class []struct {
		System string `json:"system"`
		Code   string `json:"code"`
	} `json:"class"`
	Data []struct {
		Reference struct {
			Reference string `json:"reference"`
		} `json:"reference"`
	} `json:"data"`
	Purpose []struct {
		Code string `json:"code"`
	} `json:"purpose"`
	Provision []*provision `json:"provision"`
}

// RestrictionsOf reads the restrictions of one Consent body; an inactive
// Consent or one without deny provisions has none.
func RestrictionsOf(body []byte) []Restriction {
	var c consentDoc
	if json.Unmarshal(body, &c) != nil || c.ResourceType != "Consent" || c.Status != "active" || c.Provision == nil {
		return nil
	}
	patient := strings.TrimPrefix(c.Patient.Reference, "Patient/")
	var out []Restriction
	var walk func(p *provision, depth int)
	walk = func(p *provision, depth int) {
		if p == nil || depth > 4 {
			return
		}
		if p.Type == "deny" {
			x := Restriction{Consent: c.ID, Patient: patient}
			for _, a := range p.Actor {
				if id := a.Reference.Identifier; id != nil && id.System == CategorySystem {
					x.Roles = append(x.Roles, Role(id.Value))
				} else if id != nil && id.System == ClientSystem {
					x.Providers = append(x.Providers, "client:"+id.Value)
				} else if a.Reference.Reference != "" {
					x.Providers = append(x.Providers, a.Reference.Reference)
				}
			}
			for _, k := range p.Class {
				x.Types = append(x.Types, k.Code)
			}
			for _, d := range p.Data {
				x.Items = append(x.Items, d.Reference.Reference)
			}
			for _, pu := range p.Purpose {
				x.Refusal = x.Refusal || pu.Code == "HRESCH"
			}
			if p.Period != nil {
				x.Start, _ = time.Parse(time.RFC3339, p.Period.Start)
				x.End, _ = time.Parse(time.RFC3339, p.Period.End)
			}
			out = append(out, x)
		}
		for _, q := range p.Provision {
			walk(q, depth+1)
		}
	}
	walk(c.Provision, 0)
	return out
}
