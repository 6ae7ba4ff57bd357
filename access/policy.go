package access

import (
	"slices"
	"time"
)

// The authorisation policy of DSN, in one pure function (Evaluate): no I/O,
// no clock, every input given. Policy (facts.go) gathers the facts; Guard
// applies the decision to every resource that leaves the store.
//
// Rules, in order (LRSSS ss. 7, 8 and r. 1 s. 8; docs/decisions/0010-access-policy.md):
//  1. the token's scopes must grant the permission on the type; patient/
//     scopes only on the token's patient;
//  2. resources outside any patient's record (the network's directory,
//     definitions) need nothing more;
//  3. a citizen sees and manages their own record, no one else's (404);
//  4. a back-end system is trusted within its scopes (the journal names it),
//     except for youth-protection files (only with the CPEJ mission), the
//     refusals of its purpose of use (s. 8: a research client) and the
//     restrictions that name it or the system category (s. 7);
//  5. confidential files (youth protection: confidentiality R or V) are
//     secret beyond the CPEJ mission: 404 without a CPEJ mission and a care
//     relationship; break-the-glass does not open them;
//  6. the person's restrictions (s. 7: item × named provider or category of
//     providers) and refusals (s. 8: e.g. research) bar the matching access;
//     break-the-glass lifts a restriction (emergency), never a refusal;
//  7. non-clinical roles see no clinical data, except their function's types
//     (archivists: identity; privacy officers: consents);
//  8. clinical roles read and write a record on a care relationship (current
//     encounter, care team, ED or ward assignment, family physician, recent
//     order), or on an active break-the-glass grant; creating a Patient or
//     the encounter that starts a relationship needs none, nor does reading
//     the Patient resource itself (identification: demographics only).

// ResourceInfo is what the policy sees of one resource.
type ResourceInfo struct {
	Type, ID string
	Patient  string // patient key ("" outside any record)
	// Confidential: the resource carries a restricted confidentiality label
	// (v3-Confidentiality R or V): youth protection files.
	Confidential bool
	// StartsCare: a new Encounter or CareTeam naming the caller (their
	// Practitioner or one of their units) as participant or location.
	StartsCare bool
}

// Facts are what the policy knows about the caller and the patient.
type Facts struct {
	Now          time.Time
	Relationship string        // basis of a care relationship ("" none): encounter, care-team, unit, family-physician, order
	Grant        *Grant        // the caller's active break-the-glass on this patient, or nil
	Restrictions []Restriction // the patient's active restrictions and refusals
}

// functionTypes are the types a non-clinical role reads in any record.
var functionTypes = map[Role][]string{
	RoleArchivist:      {"Patient", "RelatedPerson", "Person", "Consent"},
	RolePrivacyOfficer: {"Consent"},
}

// Evaluate decides whether p may do perm on r given the facts.
func Evaluate(p *Principal, perm Perm, r ResourceInfo, f Facts) Decision {
	ok, patientOnly := p.Scopes.Allows(r.Type, perm)
	if !ok {
		return deny("scope", say("deny.scope", perm.String(), r.Type))
	}
	if patientOnly && r.Patient != "" && r.Patient != p.Patient {
		return Decision{Hide: true, Basis: "patient-scope", Reason: say("deny.patient-scope")}
	}
	if r.Patient == "" {
		return Decision{Allow: true, Basis: BasisDirectory}
	}
	switch p.Role {
	case RoleCitizen:
		if r.Patient == p.Patient {
			return Decision{Allow: true, Basis: BasisOwnRecord}
		}
		return Decision{Hide: true, Basis: "other-record", Reason: say("deny.other-record")}
	case RoleSystem:
		return system(p, r, f)
	}
	info, _ := p.Role.Info()
	if r.Confidential && !(slices.Contains(p.Missions, "CPEJ") && f.Relationship != "") {
		return Decision{Hide: true, Basis: "confidential", Reason: say("deny.confidential")}
	}
	if d, barred := restricted(p, r, f); barred {
		return d
	}
	if !info.Clinical {
		if slices.Contains(functionTypes[p.Role], r.Type) {
			return Decision{Allow: true, Basis: BasisFunction}
		}
		return deny("role", say("deny.role", p.Role.Label()))
	}
	if p.Role == RoleResearcher {
		return Decision{Allow: perm&^(PermRead|PermSearch) == 0, Basis: "research", Reason: say("deny.research")}
	}
	switch {
	case f.Relationship != "":
		return Decision{Allow: true, Basis: relationBasis(f.Relationship)}
	case f.Grant != nil && f.Grant.Active(f.Now):
		return Decision{Allow: true, Basis: BasisBreakGlass}
	case perm == PermCreate && r.Type == "Patient":
		return Decision{Allow: true, Basis: "registration"}
	case perm&^(PermRead|PermSearch) == 0 && r.Type == "Patient":
		// identification: finding the right person (demographics only) comes
		// before any relationship; the journal keeps every such read
		return Decision{Allow: true, Basis: "identification"}
	case perm&(PermCreate|PermUpdate) != 0 && r.StartsCare:
		return Decision{Allow: true, Basis: "starts-care"}
	}
	return deny("no-relationship", say("deny.no-relationship", r.Patient))
}

// system decides for a back-end system (rule 4).
func system(p *Principal, r ResourceInfo, f Facts) Decision {
	if r.Confidential && !slices.Contains(p.Missions, "CPEJ") {
		return Decision{Hide: true, Basis: "confidential", Reason: say("deny.confidential")}
	}
	if d, barred := restricted(p, r, f); barred {
		return d
	}
	return Decision{Allow: true, Basis: BasisSystem}
}

// relationBases are the bases of the care relationships facts.go finds,
// made once: the concatenation cost an allocation per resource of a page.
var relationBases = map[string]string{}

func init() {
	for _, k := range []string{"encounter", "care-team", "family-physician", "order", "unit"} {
		relationBases[k] = BasisRelation + ":" + k
	}
}

// relationBasis is the journal's basis for a care relationship of kind k.
func relationBasis(k string) string {
	if b, ok := relationBases[k]; ok {
		return b
	}
	return BasisRelation + ":" + k
}

func deny(basis string, reason Text) Decision { return Decision{Basis: basis, Reason: reason} }

// restricted applies the person's s. 7 restrictions and s. 8 refusals.
func restricted(p *Principal, r ResourceInfo, f Facts) (Decision, bool) {
	for _, x := range f.Restrictions {
		if !x.Covers(r) || !x.Targets(p) || !x.InForce(f.Now) {
			continue
		}
		if x.Refusal {
			return Decision{Basis: "refusal", Reason: say("deny.refusal")}, true
		}
		if f.Grant != nil && f.Grant.Active(f.Now) {
			continue // break-the-glass lifts a restriction: journaled, reviewed
		}
		return Decision{Basis: "restriction", Reason: say("deny.restriction")}, true
	}
	return Decision{}, false
}
