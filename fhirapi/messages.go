package fhirapi

import (
	"fmt"
	"net/http"

	"dsn"
	"dsn/internal/language"
	"dsn/repo"
)

// The sentences of the FHIR API's own errors (access control, the bulk
// operations, $match, $validate, $everything and the identity operations'
// inputs, a refused Content-Type), by id, in French and in
// English (every id has both: TestMessagesBothLanguages). They, and those of
// package access (the guard's refusals, bad or revoked tokens), reach the
// client as the OperationOutcome's diagnostics in the language writeError
// chooses (internal/language: Accept-Language, French by default), and so do
// the success messages of writes and deletes (Prefer: return=OperationOutcome).
// Validation, search parameter and repo's errors have their own catalogues
// (fhir, search, repo), and so have the outcomes and refusals of $merge and
// the MPI operations (mpi/provincial/messages.go: inLanguage).
var messages = map[string]language.Text{
	"auth.required":            {FR: "authentification requise: envoyez un jeton d'accès (Authorization: Bearer …)", EN: "authentication required: send an access token (Authorization: Bearer …)"},
	"auth.scope":               {FR: "portée insuffisante: %s sur %s demande la permission %q", EN: "insufficient scope: %s on %s needs the permission %q"},
	"auth.loopback":            {FR: "accès refusé: seules les connexions locales sont permises pour l'instant", EN: "access denied: only local connections are allowed for now"},
	"journal.down":             {FR: "le journal des accès est indisponible: la réponse est retenue, réessayez", EN: "the access journal is unavailable: the response is withheld, try again"},
	"audit.auth":               {FR: "authentification requise", EN: "authentication required"},
	"audit.own":                {FR: "vous ne pouvez consulter que le journal de votre propre dossier", EN: "you may only consult the journal of your own record"},
	"audit.others":             {FR: "seul le responsable de la protection des renseignements consulte le journal d'autrui", EN: "only the privacy officer consults other people's journal"},
	"audit.form":               {FR: "formulaire de recherche illisible", EN: "unreadable search form"},
	"audit.date":               {FR: "date: seule la forme geAAAA-MM-JJ est prise en charge", EN: "date: only the form geYYYY-MM-DD is supported"},
	"audit.count":              {FR: "_count doit être un entier positif", EN: "_count must be a positive integer"},
	"audit.cursor":             {FR: "_cursor invalide", EN: "invalid _cursor"},
	"audit.param":              {FR: "paramètre de recherche AuditEvent non pris en charge: %s", EN: "AuditEvent search parameter not supported: %s"},
	"audit.not-found":          {FR: "AuditEvent/%s n'existe pas", EN: "AuditEvent/%s does not exist"},
	"audit.append-only":        {FR: "le journal des accès est en ajout seul: AuditEvent ne se crée, ne se modifie ni ne se supprime par l'API", EN: "the access journal is append-only: AuditEvent is not created, changed or deleted through the API"},
	"breakglass.auth":          {FR: "authentification requise", EN: "authentication required"},
	"breakglass.reason":        {FR: "$break-the-glass attend une ressource Parameters avec un paramètre reason (valueString)", EN: "$break-the-glass expects a Parameters resource with a reason parameter (valueString)"},
	"export.system-only":       {FR: "l'export en bloc est réservé aux systèmes (client_credentials, portées system/)", EN: "bulk export is for systems only (client_credentials, system/ scopes)"},
	"route.type":               {FR: "type de ressource inconnu: %q", EN: "unknown resource type: %q"},
	"body.gzip":                {FR: "corps gzip illisible: %v", EN: "unreadable gzip body: %v"},
	"body.encoding":            {FR: "Content-Encoding %q non pris en charge (gzip seulement)", EN: "Content-Encoding %q not supported (gzip only)"},
	"body.read":                {FR: "lecture du corps impossible: %v", EN: "cannot read the body: %v"},
	"body.empty":               {FR: "le corps de la requête est vide", EN: "the request body is empty"},
	"route.compartment":        {FR: "seul le compartiment Patient est pris en charge, pas %q", EN: "only the Patient compartment is supported, not %q"},
	"format.param":             {FR: "_format %q non pris en charge: DSN ne parle que FHIR JSON (application/fhir+json)", EN: "_format %q not supported: DSN speaks only FHIR JSON (application/fhir+json)"},
	"format.accept":            {FR: "Accept %q: DSN ne produit que FHIR JSON (application/fhir+json)", EN: "Accept %q: DSN produces only FHIR JSON (application/fhir+json)"},
	"route.method":             {FR: "méthode %s non permise sur %s (permises: %s)", EN: "method %s not allowed on %s (allowed: %s)"},
	"route.none":               {FR: "aucune interaction FHIR à %s %s", EN: "no FHIR interaction at %s %s"},
	"read.version":             {FR: "version inconnue: %q", EN: "unknown version: %q"},
	"if-match.unreadable":      {FR: "If-Match illisible: %q (attendu W/\"n\")", EN: "unreadable If-Match: %q (expected W/\"n\")"},
	"search.form-type":         {FR: "POST _search attend application/x-www-form-urlencoded, pas %q", EN: "POST _search expects application/x-www-form-urlencoded, not %q"},
	"search.form":              {FR: "formulaire illisible: %v", EN: "unreadable form: %v"},
	"content-type.unreadable":  {FR: "Content-Type illisible: %q", EN: "unreadable Content-Type: %q"},
	"content-type.xml":         {FR: "FHIR XML n'est pas pris en charge: envoyez application/fhir+json", EN: "FHIR XML is not supported: send application/fhir+json"},
	"content-type.unsupported": {FR: "Content-Type %q non pris en charge", EN: "Content-Type %q not supported"},
	"patch.media":              {FR: "PATCH attend un JSON Patch (Content-Type: application/json-patch+json), pas %q", EN: "PATCH expects a JSON Patch (Content-Type: application/json-patch+json), not %q"},
	"import.system-only":       {FR: "l'import en bloc est réservé aux systèmes et aux archivistes", EN: "bulk import is for systems and archivists only"},
	"mpi.archivists":           {FR: "les opérations d'identité sont réservées aux archivistes", EN: "identity operations are for archivists only"},
	"op.parameters":            {FR: "l'opération attend une ressource Parameters", EN: "the operation expects a Parameters resource"},
	"op.boolean":               {FR: "%s doit être un booléen", EN: "%s must be a boolean"},
	"op.patient":               {FR: "%s doit être une référence Patient/[id], reçu %s", EN: "%s must be a Patient/[id] reference, got %s"},
	"op.patient-required":      {FR: "le paramètre %s (Reference(Patient)) est obligatoire", EN: "the parameter %s (Reference(Patient)) is required"},
	"op.count":                 {FR: "_count doit être un entier positif", EN: "_count must be a positive integer"},
	"everything.parameters":    {FR: "$everything attend une ressource Parameters", EN: "$everything expects a Parameters resource"},
	"everything.simple":        {FR: "le paramètre %s doit avoir une valeur simple", EN: "the parameter %s must have a simple value"},
	"export.async":             {FR: "$export est asynchrone : envoyez l'en-tête Prefer: respond-async (bulkdata export.html#headers)", EN: "$export is asynchronous: send the header Prefer: respond-async (bulkdata export.html#headers)"},
	"export.format":            {FR: "_outputFormat %s non pris en charge : application/fhir+ndjson seulement", EN: "_outputFormat %s not supported: application/fhir+ndjson only"},
	"export.since":             {FR: "_since %s : instant FHIR attendu (2026-01-02T15:04:05Z)", EN: "_since %s: a FHIR instant expected (2026-01-02T15:04:05Z)"},
	"export.patient":           {FR: "patient %s : référence Patient/[id] attendue", EN: "patient %s: a Patient/[id] reference expected"},
	"export.later":             {FR: "le paramètre %s n'est pas encore pris en charge (Prefer: handling=lenient pour l'ignorer)", EN: "the parameter %s is not supported yet (Prefer: handling=lenient to ignore it)"},
	"export.post":              {FR: "$export en POST attend une ressource Parameters", EN: "$export by POST expects a Parameters resource"},
	"export.value":             {FR: "le paramètre %s doit avoir une valeur simple ou une référence", EN: "the parameter %s must have a simple value or a reference"},
	"export.failed":            {FR: "l'export a échoué : %s", EN: "the export failed: %s"},
	"export.file":              {FR: "fichier d'export %q introuvable", EN: "export file %q not found"},
	"import.async":             {FR: "$import est asynchrone : envoyez l'en-tête Prefer: respond-async", EN: "$import is asynchronous: send the header Prefer: respond-async"},
	"import.media":             {FR: "Content-Type %q : Parameters en application/fhir+json, ou NDJSON en application/fhir+ndjson", EN: "Content-Type %q: Parameters as application/fhir+json, or NDJSON as application/fhir+ndjson"},
	"import.body":              {FR: "le corps de $import doit être un objet JSON : Parameters ou manifeste {inputFormat, input}", EN: "the body of $import must be a JSON object: Parameters or a manifest {inputFormat, input}"},
	"import.format":            {FR: "inputFormat %s non pris en charge : application/fhir+ndjson seulement", EN: "inputFormat %s not supported: application/fhir+ndjson only"},
	"import.input":             {FR: "$import : au moins un input (type, url) attendu, ou le NDJSON dans le corps", EN: "$import: at least one input (type, url) expected, or the NDJSON in the body"},
	"import.failed":            {FR: "l'import a échoué : %s", EN: "the import failed: %s"},
	"import.file":              {FR: "fichier d'erreurs %q introuvable", EN: "error file %q not found"},
	"match.parameters":         {FR: "$match attend une ressource Parameters (ou un Patient)", EN: "$match expects a Parameters resource (or a Patient)"},
	"match.resource":           {FR: "le paramètre « resource » (un Patient) est obligatoire", EN: "the parameter “resource” (a Patient) is required"},
	"match.patient":            {FR: "le paramètre « resource » doit être un Patient", EN: "the parameter “resource” must be a Patient"},
	"op.resource":              {FR: "le paramètre « resource » doit contenir une ressource", EN: "the parameter “resource” must hold a resource"},
	"match.certain":            {FR: "onlyCertainMatches doit être un booléen", EN: "onlyCertainMatches must be a boolean"},
	"match.golden":             {FR: "Dossier provincial Patient/%s, par l'inscription Patient/%s :\n", EN: "Provincial record Patient/%s, through the registration Patient/%s:\n"},
	"match.count":              {FR: "count doit être un entier positif", EN: "count must be a positive integer"},
	"merge.identifier":         {FR: "%s-identifier doit avoir une valeur", EN: "%s-identifier must have a value"},
	"merge.no-registration":    {FR: "aucune inscription ne porte %s-identifier", EN: "no registration bears %s-identifier"},
	"merge.several":            {FR: "%d inscriptions portent %s-identifier : précisez %s", EN: "%d registrations bear %s-identifier: name %s"},
	"merge.required":           {FR: "le paramètre %s ou %s-identifier est obligatoire", EN: "the parameter %s or %s-identifier is required"},
	"duplicates.threshold":     {FR: "threshold: probable, certain ou un nombre de bits, reçu %s", EN: "threshold: probable, certain or a number of bits, got %s"},
	"validate.mode":            {FR: "le paramètre « mode » est un code (create, update, delete ou profile)", EN: "the parameter “mode” is a code (create, update, delete or profile)"},
	"validate.profile-uri":     {FR: "le paramètre « profile » est une URI", EN: "the parameter “profile” is a URI"},
	"export.accepted":          {FR: "export accepté : suivre l'URL de Content-Location", EN: "export accepted: follow the Content-Location URL"},
	"export.cancelled":         {FR: "export annulé et supprimé", EN: "export cancelled and deleted"},
	"export.waiting":           {FR: "en attente", EN: "waiting"},
	"export.running":           {FR: "en cours : %d ressources écrites", EN: "running: %d resources written"},
	"import.accepted":          {FR: "import accepté : suivre l'URL de Content-Location", EN: "import accepted: follow the Content-Location URL"},
	"import.cancelled":         {FR: "import annulé : les lots déjà validés restent enregistrés", EN: "import cancelled: the batches already committed stay stored"},
	"import.waiting":           {FR: "en attente", EN: "waiting"},
	"import.running":           {FR: "en cours : %d ressources traitées", EN: "running: %d resources processed"},
	"write.created":            {FR: "ressource créée", EN: "resource created"},
	"write.updated":            {FR: "ressource mise à jour", EN: "resource updated"},
	"write.patched":            {FR: "ressource modifiée", EN: "resource patched"},
	"write.exists":             {FR: "la ressource existe déjà (If-None-Exist)", EN: "the resource already exists (If-None-Exist)"},
	"delete.done":              {FR: "ressource supprimée", EN: "resource deleted"},
	"delete.nothing":           {FR: "rien à supprimer", EN: "nothing to delete"},
	"validate.ok":              {FR: "aucun problème détecté", EN: "no problem found"},
	"validate.golden":          {FR: "un dossier provincial est géré par l'index patient : il se modifie par les opérations $mpi-link, $mpi-unlink, $merge et $unmerge", EN: "a provincial record is managed by the patient index: it changes through the operations $mpi-link, $mpi-unlink, $merge and $unmerge"},
	"validate.profile":         {FR: "profil non pris en charge: %s (seule la définition de base http://hl7.org/fhir/StructureDefinition/%s est connue)", EN: "profile not supported: %s (only the base definition http://hl7.org/fhir/StructureDefinition/%s is known)"},
}

// inform answers status with an information OperationOutcome saying the
// sentence id in the request's language (a bulk job accepted or cancelled).
func (a *API) inform(w http.ResponseWriter, r *http.Request, status int, id string) {
	l := language.Of(r)
	language.Header(w, l)
	a.send(w, r, status, repo.Information(messages[id].In(l)))
}

// inLanguage is fr or, when the request asks for English and en is not
// empty, en; the answer says which (Content-Language).
func inLanguage(w http.ResponseWriter, r *http.Request, fr, en string) string {
	l := language.Of(r)
	language.Header(w, l)
	if l == language.English && en != "" {
		return en
	}
	return fr
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
