package access

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

var now = time.Date(2026, 5, 9, 3, 12, 0, 0, time.UTC)

func principal(role Role) *Principal {
	info, _ := role.Info()
	p := &Principal{Role: role, Realm: info.Realm, Subject: "u-" + string(role), Scopes: info.Ceiling, Establishment: "org1"}
	switch role {
	case RolePhysician, RoleNurse, RolePharmacist:
		p.Practitioner = "pr-" + string(role)
	case RoleCitizen:
		p.Patient = "p1"
	}
	return p
}

// TestPolicyMatrix: roles × resources × relationships × restrictions.
func TestPolicyMatrix(t *testing.T) {
	obs := ResourceInfo{Type: "Observation", ID: "o1", Patient: "p1"}
	pat := ResourceInfo{Type: "Patient", ID: "p1", Patient: "p1"}
	dir := ResourceInfo{Type: "Practitioner", ID: "pr9"}
	cons := ResourceInfo{Type: "Consent", ID: "c1", Patient: "p1"}
	yp := ResourceInfo{Type: "EpisodeOfCare", ID: "e1", Patient: "p1", Confidential: true}
	other := ResourceInfo{Type: "Observation", ID: "o2", Patient: "p2"}
	grant := &Grant{Patient: "p1", Start: now.Add(-time.Hour), End: now.Add(time.Hour)}
	expired := &Grant{Patient: "p1", Start: now.Add(-5 * time.Hour), End: now.Add(-time.Hour)}
	rel := Facts{Now: now, Relationship: "encounter"}
	none := Facts{Now: now}
	nurseObs := []Restriction{{Patient: "p1", Roles: []Role{RoleNurse}, Types: []string{"Observation"}}}
	namedDoc := []Restriction{{Patient: "p1", Providers: []string{"Practitioner/pr-physician"}}}
	research := []Restriction{{Patient: "p1", Refusal: true}}
	item := []Restriction{{Patient: "p1", Roles: []Role{RolePhysician}, Items: []string{"Observation/o1"}}}

	type tc struct {
		role  Role
		perm  Perm
		r     ResourceInfo
		f     Facts
		allow bool
		hide  bool
	}
	cases := []tc{
		// clinicians: relationship or break-the-glass
		{RolePhysician, PermRead, obs, rel, true, false},
		{RolePhysician, PermRead, obs, none, false, false},
		{RolePhysician, PermRead, obs, Facts{Now: now, Grant: grant}, true, false},
		{RolePhysician, PermRead, obs, Facts{Now: now, Grant: expired}, false, false},
		{RolePhysician, PermUpdate, obs, rel, true, false},
		{RolePhysician, PermDelete, obs, rel, true, false},
		{RolePhysician, PermCreate, pat, none, true, false},  // registration
		{RolePhysician, PermCreate, obs, none, false, false}, // no writing in a stranger's record
		{RolePhysician, PermRead, dir, none, true, false},    // directory
		{RoleNurse, PermRead, obs, rel, true, false},
		{RoleNurse, PermDelete, obs, rel, false, false}, // ceiling: crus
		{RolePharmacist, PermRead, obs, rel, true, false},
		{RolePharmacist, PermUpdate, obs, rel, false, false}, // ceiling
		// restrictions (s. 7) and refusals (s. 8)
		{RoleNurse, PermRead, obs, Facts{Now: now, Relationship: "unit", Restrictions: nurseObs}, false, false},
		{RoleNurse, PermRead, pat, Facts{Now: now, Relationship: "unit", Restrictions: nurseObs}, true, false},
		{RolePhysician, PermRead, obs, Facts{Now: now, Relationship: "encounter", Restrictions: nurseObs}, true, false},
		{RolePhysician, PermRead, pat, Facts{Now: now, Relationship: "encounter", Restrictions: namedDoc}, false, false},
		{RolePhysician, PermRead, pat, Facts{Now: now, Relationship: "encounter", Restrictions: namedDoc, Grant: grant}, true, false},
		{RolePhysician, PermRead, obs, Facts{Now: now, Relationship: "encounter", Restrictions: item}, false, false},
		{RolePhysician, PermRead, other, Facts{Now: now, Relationship: "encounter", Restrictions: item}, true, false},
		{RolePhysician, PermRead, obs, Facts{Now: now, Relationship: "encounter", Restrictions: research}, true, false},
		{RoleResearcher, PermRead, obs, Facts{Now: now, Restrictions: research}, false, false},
		{RoleResearcher, PermRead, obs, none, true, false},
		{RoleResearcher, PermUpdate, obs, none, false, false},
		// youth protection: secret beyond the CPEJ mission, even with break-the-glass
		{RolePhysician, PermRead, yp, rel, false, true},
		{RolePhysician, PermRead, yp, Facts{Now: now, Grant: grant}, false, true},
		{RoleSystem, PermRead, yp, none, false, true}, // without the CPEJ mission (below: with it)
		// non-clinical roles
		{RoleArchivist, PermRead, pat, none, true, false},
		{RoleArchivist, PermUpdate, pat, none, true, false},
		{RoleArchivist, PermRead, obs, none, false, false},
		{RoleAdmin, PermRead, obs, none, false, false},
		{RoleAdmin, PermRead, pat, none, false, false},
		{RoleAdmin, PermUpdate, dir, none, true, false},
		{RolePrivacyOfficer, PermRead, cons, none, true, false},
		{RolePrivacyOfficer, PermRead, obs, none, false, false},
		// citizens: their own record only
		{RoleCitizen, PermRead, obs, none, true, false},
		{RoleCitizen, PermRead, other, none, false, true},
		{RoleCitizen, PermCreate, cons, none, true, false},
		{RoleCitizen, PermUpdate, obs, none, false, false}, // ceiling: rs on the record
		{RoleCitizen, PermRead, obs, Facts{Now: now, Restrictions: nurseObs}, true, false},
		// systems: within their scopes
		{RoleSystem, PermRead, obs, none, true, false},
		{RoleSystem, PermDelete, obs, none, true, false},
		{RoleSystem, PermRead, obs, Facts{Now: now, Restrictions: research}, true, false}, // not a research client
		{RoleSystem, PermRead, obs, Facts{Now: now, Restrictions: nurseObs}, true, false},
		{RoleSystem, PermRead, obs, Facts{Now: now, Restrictions: namedDoc}, true, false},
	}
	// back-end systems by registration: purpose of use, missions, named in a restriction
	sys := func(edit func(*Principal)) *Principal {
		p := principal(RoleSystem)
		p.ClientID = "cl1"
		edit(p)
		return p
	}
	researchClient := sys(func(p *Principal) { p.Purpose = PurposeResearch })
	cpej := sys(func(p *Principal) { p.Missions = []string{"CPEJ"} })
	plain := sys(func(*Principal) {})
	namedClient := []Restriction{{Patient: "p1", Providers: []string{"client:cl1"}, Types: []string{"Observation"}}}
	systemCategory := []Restriction{{Patient: "p1", Roles: []Role{RoleSystem}}}
	for _, c := range []struct {
		name        string
		p           *Principal
		r           ResourceInfo
		f           Facts
		allow, hide bool
	}{
		{"research client, refusal", researchClient, obs, Facts{Now: now, Restrictions: research}, false, false},
		{"research client, no refusal", researchClient, obs, none, true, false},
		{"CPEJ client, youth protection", cpej, yp, none, true, false},
		{"plain client, youth protection", plain, yp, none, false, true},
		{"client named", plain, obs, Facts{Now: now, Restrictions: namedClient}, false, false},
		{"client named, other type", plain, pat, Facts{Now: now, Restrictions: namedClient}, true, false},
		{"system category", plain, obs, Facts{Now: now, Restrictions: systemCategory}, false, false},
	} {
		d := Evaluate(c.p, PermRead, c.r, c.f)
		if d.Allow != c.allow || d.Hide != c.hide {
			t.Errorf("%s: %+v, want allow=%v hide=%v", c.name, d, c.allow, c.hide)
		}
	}
	for _, c := range cases {
		p := principal(c.role)
		d := Evaluate(p, c.perm, c.r, c.f)
		name := fmt.Sprintf("%s %s %s/%s rel=%q grant=%v restr=%d", c.role, c.perm, c.r.Type, c.r.ID, c.f.Relationship, c.f.Grant != nil, len(c.f.Restrictions))
		if d.Allow != c.allow || d.Hide != c.hide {
			t.Errorf("%s: %+v, want allow=%v hide=%v", name, d, c.allow, c.hide)
		}
		if !d.Allow && d.Reason.French() == "" {
			t.Errorf("%s: a refusal without a reason", name)
		}
	}
	// the CPEJ mission with a relationship opens a youth-protection file
	p := principal(RoleNurse)
	p.Missions = []string{"CPEJ"}
	if d := Evaluate(p, PermRead, yp, rel); !d.Allow {
		t.Errorf("CPEJ nurse with a relationship: %+v", d)
	}
	// a token narrowed to one type, and a patient/ token on another patient
	p = principal(RolePhysician)
	p.Scopes = MustScopes("user/Patient.rs")
	if d := Evaluate(p, PermRead, obs, rel); d.Allow {
		t.Error("user/Patient.rs read an Observation")
	}
	p.Scopes, p.Patient = MustScopes("patient/*.rs"), "p2"
	if d := Evaluate(p, PermRead, obs, rel); d.Allow || !d.Hide {
		t.Errorf("patient/ scope on p2 read p1: %+v", d)
	}
	if d := Evaluate(p, PermRead, other, rel); !d.Allow {
		t.Errorf("patient/ scope on p2 read p2: %+v", d)
	}
	// a restriction's period
	later := []Restriction{{Patient: "p1", Roles: []Role{RoleNurse}, Start: now.Add(time.Hour)}}
	if d := Evaluate(principal(RoleNurse), PermRead, obs, Facts{Now: now, Relationship: "unit", Restrictions: later}); !d.Allow {
		t.Errorf("restriction not yet in force: %+v", d)
	}
	// starting care: a new encounter naming the caller
	enc := ResourceInfo{Type: "Encounter", ID: "e9", Patient: "p1", StartsCare: true}
	if d := Evaluate(principal(RoleNurse), PermCreate, enc, none); !d.Allow {
		t.Errorf("new encounter naming the nurse: %+v", d)
	}
}

func TestRestrictionsOfConsent(t *testing.T) {
	body := []byte(`{"resourceType":"Consent","id":"c1","status":"active","patient":{"reference":"Patient/p1"},
	 "provision":{"type":"permit","provision":[
	  {"type":"deny","actor":[{"role":{"text":"x"},"reference":{"reference":"Practitioner/pr7"}},
	                          {"role":{"text":"x"},"reference":{"identifier":{"system":"urn:dsn:categorie-intervenant","value":"nurse"}}}],
	   "class":[{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}],
	   "period":{"start":"2026-01-01T00:00:00Z"}},
	  {"type":"deny","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"HRESCH"}]}]}}`)
	xs := RestrictionsOf(body)
	if len(xs) != 2 {
		t.Fatalf("%d restrictions: %+v", len(xs), xs)
	}
	if x := xs[0]; x.Patient != "p1" || x.Consent != "c1" || x.Refusal || len(x.Providers) != 1 || len(x.Roles) != 1 || x.Roles[0] != RoleNurse ||
		x.Types[0] != "Observation" || x.Start.IsZero() {
		t.Errorf("restriction: %+v", x)
	}
	if !xs[1].Refusal {
		t.Errorf("refusal: %+v", xs[1])
	}
	if len(RestrictionsOf([]byte(`{"resourceType":"Consent","status":"inactive","provision":{"type":"deny"}}`))) != 0 {
		t.Error("an inactive Consent restricts")
	}
}

func FuzzEvaluate(f *testing.F) {
	f.Add("physician", uint8(2), "Observation", "p1", "p1", true, false, "encounter")
	f.Add("citizen", uint8(31), "Patient", "p2", "p1", false, true, "")
	f.Fuzz(func(t *testing.T, role string, perm uint8, typ, patient, own string, conf, grant bool, rel string) {
		r := Role(role)
		if _, ok := r.Info(); !ok {
			return
		}
		p := principal(r)
		p.Patient = own
		fx := Facts{Now: now, Relationship: rel}
		if grant {
			fx.Grant = &Grant{Patient: patient, Start: now.Add(-time.Minute), End: now.Add(time.Minute)}
		}
		d := Evaluate(p, Perm(perm)&PermAll, ResourceInfo{Type: typ, ID: "x", Patient: patient, Confidential: conf}, fx)
		// invariants: no scope, no access; a citizen never sees another record;
		// a confidential file never opens without the CPEJ mission
		if ok, _ := p.Scopes.Allows(typ, Perm(perm)&PermAll); d.Allow && !ok {
			t.Fatalf("allowed without scope: %+v", d)
		}
		if d.Allow && r == RoleCitizen && patient != "" && patient != own {
			t.Fatalf("citizen saw another record")
		}
		if d.Allow && conf && patient != "" && r != RoleCitizen {
			t.Fatalf("confidential file opened: %+v", d)
		}
	})
}

// FuzzRestrictionsOf: any Consent body is read without panic; only an
// active Consent restricts, only its own patient, and a refusal bars only
// research.
func FuzzRestrictionsOf(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Consent","id":"c1","status":"active","patient":{"reference":"Patient/p1"},"provision":{"type":"deny","purpose":[{"code":"HRESCH"}]}}`))
	f.Add([]byte(`{"resourceType":"Consent","status":"active","patient":{"reference":"Patient/p1"},"provision":{"type":"permit","provision":[{"type":"deny","actor":[{"reference":{"identifier":{"system":"urn:dsn:categorie-intervenant","value":"nurse"}}}],"class":[{"code":"Observation"}]}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		xs := RestrictionsOf(body)
		if len(xs) == 0 {
			return
		}
		var doc struct{ Status string }
		if json.Unmarshal(body, &doc) != nil || doc.Status != "active" {
			t.Fatalf("restrictions from a Consent that is not active: %+v", xs)
		}
		for _, x := range xs {
			if x.Refusal && x.Targets(principal(RolePhysician)) {
				t.Fatalf("a research refusal bars a physician: %+v", x)
			}
		}
	})
}

// FuzzParseScopes: what parses prints back to a string that parses to the
// same scopes.
func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{"patient/Observation.rs", "user/*.cruds openid fhirUser", "system/*.*", "launch/patient offline_access"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sc, err := ParseScopes(in)
		if err != nil {
			return
		}
		again, err := ParseScopes(sc.String())
		if err != nil || again.String() != sc.String() {
			t.Fatalf("%q → %q → %q, %v", in, sc.String(), again.String(), err)
		}
	})
}

// A Consent may name one back-end client by its client_id (urn:dsn:client).
func TestRestrictionNamingAClient(t *testing.T) {
	xs := RestrictionsOf([]byte(`{"resourceType":"Consent","id":"c9","status":"active","patient":{"reference":"Patient/p1"},
		"provision":{"type":"deny","actor":[{"reference":{"identifier":{"system":"urn:dsn:client","value":"cl1"}}}]}}`))
	if len(xs) != 1 || len(xs[0].Providers) != 1 || xs[0].Providers[0] != "client:cl1" {
		t.Fatalf("restrictions = %+v", xs)
	}
	p := &Principal{Realm: RealmSystem, Role: RoleSystem, ClientID: "cl1"}
	if !xs[0].Targets(p) {
		t.Fatal("the named client is not targeted")
	}
	if p.ClientID = "cl2"; xs[0].Targets(p) {
		t.Fatal("another client is targeted")
	}
}
