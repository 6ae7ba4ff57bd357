package access

import (
	"fmt"

	"dsn"
)

// The sentences of package access, by id, in French and in English: the
// errors it returns (dsn.Error carries both, Msg and English; each edge shows
// the one its user asked for: internal/language), the policy's reasons for a
// refusal and the role names. French is DSN's first language; every id has
// both (TestMessagesBothLanguages). A %s or %q takes the argument given
// where the sentence is used; an argument that is a Text is said in the same
// language.
var messages = map[string]text{
	// roles (roles.go), for refusals and screens
	"role.physician":       {"Médecin", "Physician"},
	"role.nurse":           {"Infirmière ou infirmier", "Nurse"},
	"role.pharmacist":      {"Pharmacien", "Pharmacist"},
	"role.archivist":       {"Archiviste médical", "Medical archivist"},
	"role.admin":           {"Administrateur", "Administrator"},
	"role.privacy-officer": {"Responsable de la protection des renseignements", "Privacy officer"},
	"role.researcher":      {"Chercheur", "Researcher"},
	"role.citizen":         {"Usager", "Patient (citizen)"},
	"role.system":          {"Système", "System"},
	"role.unknown":         {"rôle inconnu: %q (physician, nurse, pharmacist, archivist, admin, privacy-officer, researcher, citizen)", "unknown role: %q (physician, nurse, pharmacist, archivist, admin, privacy-officer, researcher, citizen)"},

	// the policy's refusals (policy.go, guard.go)
	"deny.scope":           {"la portée du jeton n'accorde pas %s sur %s", "the token's scope does not grant %s on %s"},
	"deny.patient-scope":   {"hors du dossier du contexte du jeton", "outside the record of the token's context"},
	"deny.other-record":    {"ce dossier n'est pas le vôtre", "this record is not yours"},
	"deny.confidential":    {"dossier confidentiel (protection de la jeunesse)", "confidential record (youth protection)"},
	"deny.role":            {"le rôle %s ne donne pas accès aux dossiers cliniques", "the role %s gives no access to clinical records"},
	"deny.research":        {"lecture seule pour la recherche", "read only for research"},
	"deny.no-relationship": {"aucun lien de soins avec cet usager: bris de verre requis (Patient/%s/$break-the-glass, motif obligatoire)", "no care relationship with this patient: break-the-glass required (Patient/%s/$break-the-glass, reason required)"},
	"deny.refusal":         {"l'usager a refusé cet accès (LRSSS art. 8)", "the patient refused this access (LRSSS s. 8)"},
	"deny.restriction":     {"l'usager a restreint l'accès à cette information (LRSSS art. 7)", "the patient restricted access to this information (LRSSS s. 7)"},
	"deny.anonymous":       {"aucun appelant authentifié", "no authenticated caller"},
	"deny.default":         {"accès refusé", "access denied"},
	"deny.resource":        {"%s/%s: %s", "%s/%s: %s"},
	"deny.hidden":          {"%s/%s n'existe pas", "%s/%s does not exist"},

	// access tokens (tokens.go, revoke.go)
	"token.invalid":         {"jeton d'accès invalide: %s", "invalid access token: %s"},
	"token.format":          {"jeton d'accès invalide: format", "invalid access token: format"},
	"token.type":            {"jeton d'accès invalide: type", "invalid access token: type"},
	"token.key":             {"jeton d'accès invalide: clé inconnue", "invalid access token: unknown key"},
	"token.signature":       {"jeton d'accès invalide: signature", "invalid access token: signature"},
	"token.no-expiry":       {"jeton d'accès invalide: sans échéance", "invalid access token: no expiry"},
	"token.expired":         {"jeton d'accès expiré: demandez-en un nouveau", "access token expired: ask for a new one"},
	"token.scopes":          {"jeton d'accès invalide: portées", "invalid access token: scopes"},
	"token.role":            {"jeton d'accès invalide: rôle", "invalid access token: role"},
	"token.not-granted":     {"portées demandées non accordées à ce client: %q", "requested scopes not granted to this client: %q"},
	"revoked.token":         {"jeton révoqué", "token revoked"},
	"revoked.user":          {"compte désactivé: ses jetons ne sont plus acceptés", "account disabled: its tokens are no longer accepted"},
	"revoked.client":        {"client désactivé ou supprimé: ses jetons ne sont plus acceptés", "client disabled or deleted: its tokens are no longer accepted"},
	"revoked.family":        {"jeton révoqué (jeton de rafraîchissement révoqué)", "token revoked (refresh token revoked)"},
	"revoked.consent":       {"autorisation de l'application retirée par l'utilisateur", "the user withdrew the app's authorization"},
	"revoked.refresh":       {"jeton de rafraîchissement révoqué", "refresh token revoked"},
	"revoked.account":       {"compte inconnu ou désactivé", "unknown or disabled account"},
	"revoked.client-gone":   {"client désactivé ou supprimé", "client disabled or deleted"},
	"revoke.hint":           {"token_type_hint inconnu: %q", "unknown token_type_hint: %q"},
	"revoke.unknown":        {"jeton inconnu", "unknown token"},
	"revoke.invalid-access": {"jeton d'accès invalide ou expiré: rien à révoquer", "invalid or expired access token: nothing to revoke"},
	"revoke.other-client":   {"ce jeton a été émis pour un autre client", "this token was issued to another client"},
	"revoke.no-jti":         {"jeton sans identifiant (jti)", "token without an identifier (jti)"},
	"revoke.bad-jti":        {"identifiant de jeton (jti) invalide", "invalid token identifier (jti)"},
	"revoke.already":        {"jeton inconnu ou déjà révoqué", "unknown or already revoked token"},

	// scopes (scope.go)
	"scope.unknown":   {"portée inconnue: %q", "unknown scope: %q"},
	"scope.query":     {"portée avec restriction de requête non prise en charge: %q", "scope with a query restriction not supported: %q"},
	"scope.malformed": {"portée mal formée: %q (attendu contexte/Type.cruds)", "malformed scope: %q (expected context/Type.cruds)"},
	"scope.perms":     {"permissions invalides dans %q (attendu un sous-ensemble ordonné de cruds)", "invalid permissions in %q (expected an ordered subset of cruds)"},
	"scope.no-perm":   {"portée sans permission: %q", "scope without permission: %q"},

	// accounts and clients (accounts.go, password.go, revoke.go)
	"account.role":                {"rôle inconnu: %q", "unknown role: %q"},
	"account.username":            {"nom d'utilisateur invalide: %q (2 à 64 caractères: a-z 0-9 . _ @ -)", "invalid username: %q (2 to 64 characters: a-z 0-9 . _ @ -)"},
	"account.citizen-patient":     {"un compte citoyen doit être lié à un dossier (--patient)", "a citizen account must be linked to a record (--patient)"},
	"account.staff-establishment": {"un compte du personnel doit nommer son établissement (--establishment)", "a staff account must name its establishment (--establishment)"},
	"account.exists":              {"l'utilisateur %q existe déjà", "user %q already exists"},
	"account.unknown":             {"utilisateur %q introuvable", "user %q not found"},
	"account.not-disabled":        {"le compte %s n'est pas désactivé", "account %s is not disabled"},
	"account.federated":           {"aucun compte DSN pour cette identité externe", "no DSN account for this external identity"},
	"password.short":              {"mot de passe trop court (12 caractères au moins)", "password too short (12 characters at least)"},
	"password.long":               {"mot de passe trop long (1024 octets au plus)", "password too long (1024 bytes at most)"},
	"client.name":                 {"le client doit avoir un nom (--name)", "the client must have a name (--name)"},
	"client.resource-scope":       {"le client doit avoir au moins une portée de ressources (--scope, p. ex. system/*.rs)", "the client must have at least one resource scope (--scope, e.g. system/*.rs)"},
	"client.purpose":              {"finalité inconnue %q: HOPERAT, TREAT, HRESCH ou PUBHLTH", "unknown purpose of use %q: HOPERAT, TREAT, HRESCH or PUBHLTH"},
	"client.auth":                 {"client inconnu ou secret invalide", "unknown client or invalid secret"},
	"client.unknown":              {"client %s inconnu ou supprimé", "client %s unknown or deleted"},
	"client.disabled":             {"client %s désactivé", "client %s disabled"},
	"client.not-disabled":         {"le client %s n'est pas désactivé", "client %s is not disabled"},
	"client.gone":                 {"client %s inconnu ou déjà supprimé", "client %s unknown or already deleted"},

	// sign-in, codes and refresh tokens (codes.go, throttle.go)
	"authorize.client":      {"client inconnu ou adresse de retour non enregistrée", "unknown client or unregistered return address"},
	"authorize.pkce":        {"invalid_request: PKCE S256 requis (code_challenge, code_challenge_method=S256)", "invalid_request: PKCE S256 required (code_challenge, code_challenge_method=S256)"},
	"signin.bad":            {"nom d'utilisateur ou mot de passe invalide", "invalid username or password"},
	"signin.throttled-one":  {"Trop de tentatives de connexion échouées : réessayez dans %d minute.", "Too many failed sign-ins: try again in %d minute."},
	"signin.throttled-many": {"Trop de tentatives de connexion échouées : réessayez dans %d minutes.", "Too many failed sign-ins: try again in %d minutes."},
	"grant.code":            {"code inconnu, expiré ou déjà utilisé", "unknown, expired or already used code"},
	"grant.code-client":     {"code invalide pour ce client ou cette adresse de retour", "code invalid for this client or this return address"},
	"grant.pkce":            {"code_verifier ne correspond pas au code_challenge (PKCE)", "code_verifier does not match the code_challenge (PKCE)"},
	"grant.refresh-reused":  {"jeton de rafraîchissement déjà utilisé: toute sa lignée est révoquée", "refresh token already used: its whole family is revoked"},
	"grant.refresh":         {"jeton de rafraîchissement inconnu, expiré ou déjà utilisé", "unknown, expired or already used refresh token"},
	"grant.refresh-client":  {"jeton de rafraîchissement invalide pour ce client", "refresh token invalid for this client"},
	"grant.federated":       {"état de connexion fédérée inconnu ou déjà utilisé", "unknown or already used federated sign-in state"},
	"grant.federated-late":  {"état de connexion fédérée expiré", "federated sign-in state expired"},

	// consent to apps, launch and picker (appconsent.go, launch.go)
	"consent.session":   {"demande d'autorisation inconnue, expirée ou déjà traitée : recommencez depuis l'application", "unknown, expired or already answered authorization request: start again from the app"},
	"consent.none":      {"aucune autorisation donnée à l'application %s", "no authorization given to the app %s"},
	"launch.patient":    {"patient: identifiant FHIR attendu (Patient.id)", "patient: a FHIR id expected (Patient.id)"},
	"launch.encounter":  {"encounter: identifiant FHIR attendu (Encounter.id)", "encounter: a FHIR id expected (Encounter.id)"},
	"launch.staff":      {"le lancement depuis le dossier est réservé au personnel et aux systèmes", "launching from the record is for staff and systems only"},
	"launch.unknown":    {"contexte de lancement inconnu, expiré ou déjà utilisé", "unknown, expired or already used launch context"},
	"launch.other-user": {"ce contexte de lancement a été créé pour un autre utilisateur", "this launch context was made for another user"},
	"launch.picker":     {"session de choix de l'usager inconnue ou expirée: reconnectez-vous", "unknown or expired patient choice: sign in again"},

	// break-the-glass (grants.go)
	"breakglass.role":   {"le rôle %s ne permet pas le bris de verre", "the role %s may not break the glass"},
	"breakglass.reason": {"le motif du bris de verre est obligatoire (10 à 2000 caractères)", "a break-the-glass reason is required (10 to 2000 characters)"},
	"breakglass.review": {"seul un responsable de la protection des renseignements révise les bris de verre", "only a privacy officer reviews break-the-glass grants"},
}

// text is one sentence in both languages.
type text struct{ fr, en string }

// Text is a sentence of this package: an id of messages and its arguments,
// said in either language. The policy's Decision carries one (Reason);
// every error of this package is built from one (errorf).
type Text struct {
	ID   string
	Args []any
}

// say is the Text of id with args.
func say(id string, args ...any) Text { return Text{ID: id, Args: args} }

// French is t in French ("" for the zero Text).
func (t Text) French() string { return t.in(false) }

// English is t in English ("" for the zero Text).
func (t Text) English() string { return t.in(true) }

func (t Text) in(english bool) string {
	if t.ID == "" {
		return ""
	}
	m, ok := messages[t.ID]
	if !ok {
		return "[" + t.ID + "]" // TestMessagesBothLanguages forbids it
	}
	f := m.fr
	if english {
		f = m.en
	}
	if len(t.Args) == 0 {
		return f
	}
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		if x, ok := a.(Text); ok {
			a = x.in(english)
		}
		args[i] = a
	}
	return fmt.Sprintf(f, args...)
}

// errorf is the error of kind saying the sentence id with args, in both
// languages.
func errorf(op string, kind dsn.Kind, id string, args ...any) *dsn.Error {
	return textError(op, kind, say(id, args...))
}

// textError is the error of kind saying t.
func textError(op string, kind dsn.Kind, t Text) *dsn.Error {
	return &dsn.Error{Op: op, Kind: kind, Msg: t.French(), English: t.English()}
}

// Label is the role's name for people (roles.go), in both languages.
func (r Role) Label() Text { return say("role." + string(r)) }
