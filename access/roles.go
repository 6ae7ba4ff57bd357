package access

import (
	"dsn"
)

// Role is a user's function. The LRSSS (r. 1 s. 8) grants access to those
// whose function needs it; each role has a ceiling of SMART scopes (what the
// role may ever do) and the policy (policy.go) adds the need-to-know rules.
type Role string

const (
	RolePhysician      Role = "physician"       // médecin
	RoleNurse          Role = "nurse"           // infirmière, infirmier
	RolePharmacist     Role = "pharmacist"      // pharmacien
	RoleArchivist      Role = "archivist"       // archiviste médical (identités, demandes d'accès)
	RoleAdmin          Role = "admin"           // administrateur (comptes, référentiels; aucun dossier clinique)
	RolePrivacyOfficer Role = "privacy-officer" // responsable de la protection des renseignements
	RoleResearcher     Role = "researcher"      // chercheur autorisé (LRSSS s. 8(4): les refus s'appliquent)
	RoleCitizen        Role = "citizen"         // l'usager, sur son propre dossier
	RoleSystem         Role = "system"          // un système (client_credentials)
)

// RoleInfo is what a role may do at most.
type RoleInfo struct {
	Realm      Realm
	Ceiling    Scopes // the most a token of this role may carry
	Clinical   bool   // reads patient records (on a care relationship or break-the-glass)
	BreakGlass bool   // may break the glass
}

// directory are the types that are not part of a patient's record: the
// network's structure and people (shared, read by every staff role).
const directory = "user/Organization.rs user/Location.rs user/Practitioner.rs user/PractitionerRole.rs user/HealthcareService.rs user/Endpoint.rs"

var roles = map[Role]RoleInfo{
	RolePhysician: {RealmStaff, MustScopes("openid fhirUser profile offline_access online_access launch launch/patient user/*.cruds patient/*.cruds"), true, true},
	RoleNurse:     {RealmStaff, MustScopes("openid fhirUser profile offline_access online_access launch launch/patient user/*.crus patient/*.crus"), true, true},
	RolePharmacist: {RealmStaff, MustScopes("openid fhirUser profile offline_access online_access launch launch/patient user/*.rs patient/*.rs " +
		"user/MedicationDispense.cru user/MedicationRequest.u user/MedicationStatement.cru"), true, true},
	RoleArchivist: {RealmStaff, MustScopes("openid fhirUser profile offline_access online_access user/*.rs " +
		"user/Patient.cruds user/RelatedPerson.cruds user/Person.cruds user/Consent.cruds"), false, false},
	RoleAdmin: {RealmStaff, MustScopes("openid fhirUser profile offline_access online_access " + directory +
		" user/Organization.cud user/Location.cud user/Practitioner.cud user/PractitionerRole.cud user/HealthcareService.cud user/Endpoint.cud"), false, false},
	RolePrivacyOfficer: {RealmStaff, MustScopes("openid fhirUser profile offline_access online_access " +
		directory + " user/AuditEvent.rs user/Consent.rs"), false, false},
	RoleResearcher: {RealmStaff, MustScopes("openid fhirUser profile user/*.rs"), true, false},
	RoleCitizen: {RealmCitizen, MustScopes("openid fhirUser profile offline_access online_access launch/patient patient/*.rs patient/Consent.cruds " +
		"patient/QuestionnaireResponse.cru"), false, false},
	RoleSystem: {RealmSystem, MustScopes("system/*.cruds"), false, false},
}

// Info returns what r may do; ok is false for an unknown role.
func (r Role) Info() (RoleInfo, bool) {
	i, ok := roles[r]
	return i, ok
}

// ParseRole checks a role name given on the command line or in a token.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if _, ok := roles[r]; !ok || r == RoleSystem {
		return "", errorf("access.ParseRole", dsn.KindInvalid, "role.unknown", s)
	}
	return r, nil
}
