package fhirapi

import (
	"fmt"

	"dsn"
	"dsn/internal/language"
)

// The access-control sentences of the FHIR API, by id, in French and in
// English (every id has both: TestMessagesBothLanguages). They, and those of
// package access (the guard's refusals, bad or revoked tokens), reach the
// client as the OperationOutcome's diagnostics in the language writeError
// chooses (internal/language: Accept-Language, French by default). The
// API's other messages (validation, search, bulk) speak French only.
var messages = map[string]language.Text{
	"auth.required":      {FR: "authentification requise: envoyez un jeton d'accès (Authorization: Bearer …)", EN: "authentication required: send an access token (Authorization: Bearer …)"},
	"auth.scope":         {FR: "portée insuffisante: %s sur %s demande la permission %q", EN: "insufficient scope: %s on %s needs the permission %q"},
	"auth.loopback":      {FR: "accès refusé: seules les connexions locales sont permises pour l'instant", EN: "access denied: only local connections are allowed for now"},
	"journal.down":       {FR: "le journal des accès est indisponible: la réponse est retenue, réessayez", EN: "the access journal is unavailable: the response is withheld, try again"},
	"audit.auth":         {FR: "authentification requise", EN: "authentication required"},
	"audit.own":          {FR: "vous ne pouvez consulter que le journal de votre propre dossier", EN: "you may only consult the journal of your own record"},
	"audit.others":       {FR: "seul le responsable de la protection des renseignements consulte le journal d'autrui", EN: "only the privacy officer consults other people's journal"},
	"audit.form":         {FR: "formulaire de recherche illisible", EN: "unreadable search form"},
	"audit.date":         {FR: "date: seule la forme geAAAA-MM-JJ est prise en charge", EN: "date: only the form geYYYY-MM-DD is supported"},
	"audit.count":        {FR: "_count doit être un entier positif", EN: "_count must be a positive integer"},
	"audit.cursor":       {FR: "_cursor invalide", EN: "invalid _cursor"},
	"audit.param":        {FR: "paramètre de recherche AuditEvent non pris en charge: %s", EN: "AuditEvent search parameter not supported: %s"},
	"audit.not-found":    {FR: "AuditEvent/%s n'existe pas", EN: "AuditEvent/%s does not exist"},
	"audit.append-only":  {FR: "le journal des accès est en ajout seul: AuditEvent ne se crée, ne se modifie ni ne se supprime par l'API", EN: "the access journal is append-only: AuditEvent is not created, changed or deleted through the API"},
	"breakglass.auth":    {FR: "authentification requise", EN: "authentication required"},
	"breakglass.reason":  {FR: "$break-the-glass attend une ressource Parameters avec un paramètre reason (valueString)", EN: "$break-the-glass expects a Parameters resource with a reason parameter (valueString)"},
	"export.system-only": {FR: "l'export en bloc est réservé aux systèmes (client_credentials, portées system/)", EN: "bulk export is for systems only (client_credentials, system/ scopes)"},
	"import.system-only": {FR: "l'import en bloc est réservé aux systèmes et aux archivistes", EN: "bulk import is for systems and archivists only"},
	"mpi.archivists":     {FR: "les opérations d'identité sont réservées aux archivistes", EN: "identity operations are for archivists only"},
}

// errorf is the error of kind saying the sentence id with args, in both
// languages.
func errorf(op string, kind dsn.Kind, id string, args ...any) *dsn.Error {
	m, ok := messages[id]
	if !ok {
		m = language.Text{FR: "[" + id + "]", EN: "[" + id + "]"} // TestMessagesBothLanguages forbids it
	}
	return &dsn.Error{Op: op, Kind: kind, Msg: fmt.Sprintf(m.FR, args...), English: fmt.Sprintf(m.EN, args...)}
}
