package repo

import (
	"dsn"
	"dsn/internal/language/words"
)

// The sentences of repo's version conflicts, conditional operations'
// refusals, batch and transaction Bundle rules (http.html#concurrency,
// #cond-update, #transaction, #trules), JSON Patch errors (#patch),
// _include's and $everything's warnings and errors, the parameters of
// _history and $validate, a bad logical id, by id, in French and in
// English (every id has both, with the same arguments:
// TestMessagesBothLanguages). The error carries both (Msg, English) and the
// edge chooses (fhirapi: Accept-Language, French by default; a batch entry:
// InEnglish on the context).
var messages = map[string]words.Text{
	"if-match.missing":    {FR: "If-Match: la ressource n'existe pas", EN: "If-Match: the resource does not exist"},
	"if-match.version":    {FR: "If-Match: version %d attendue, la version courante est %d", EN: "If-Match: version %d expected, the current version is %d"},
	"cond.unreadable":     {FR: "critères de recherche illisibles: %v", EN: "unreadable search criteria: %v"},
	"cond.criteria":       {FR: "une opération conditionnelle exige des critères de recherche", EN: "a conditional operation needs search criteria"},
	"cond.multiple":       {FR: "les critères %q désignent plusieurs ressources %s", EN: "the criteria %q match several %s resources"},
	"cond.none":           {FR: "aucune ressource %s ne correspond aux critères", EN: "no %s resource matches the criteria"},
	"cond.id":             {FR: "l'id de la ressource (%q) ne correspond pas à la ressource trouvée (%q)", EN: "the resource's id (%q) does not match the resource found (%q)"},
	"cond.exists":         {FR: "aucune ressource ne correspond aux critères, mais %s/%s existe déjà", EN: "no resource matches the criteria, but %s/%s already exists"},
	"cond.reference-none": {FR: "la référence conditionnelle %q ne désigne aucune ressource", EN: "the conditional reference %q matches no resource"},
	"id.url":              {FR: "l'id de la ressource (%q) doit être celui de l'URL (%q)", EN: "the resource's id (%q) must be the URL's (%q)"},

	// batch and transaction Bundles (http.html#transaction)
	"bundle.type":           {FR: "un Bundle est attendu, pas %q", EN: "a Bundle is expected, not %q"},
	"bundle.kind":           {FR: "seuls les Bundle batch et transaction sont traités ici, pas %q", EN: "only batch and transaction Bundles are processed here, not %q"},
	"bundle.entries":        {FR: "Bundle.entry doit être un tableau", EN: "Bundle.entry must be an array"},
	"bundle.too-many":       {FR: "trop d'entrées: %d (maximum %d)", EN: "too many entries: %d (at most %d)"},
	"entry.object":          {FR: "l'entrée doit être un objet", EN: "the entry must be an object"},
	"entry.request":         {FR: "entry.request est obligatoire dans un batch ou une transaction", EN: "entry.request is required in a batch or a transaction"},
	"entry.if-match":        {FR: "ifMatch illisible: %q", EN: "unreadable ifMatch: %q"},
	"entry.resource":        {FR: "%s exige entry.resource", EN: "%s needs entry.resource"},
	"entry.patch-binary":    {FR: "PATCH attend une ressource Binary contenant un JSON Patch", EN: "PATCH expects a Binary resource holding a JSON Patch"},
	"entry.patch-type":      {FR: "seul le JSON Patch (application/json-patch+json) est pris en charge, pas %q", EN: "only JSON Patch (application/json-patch+json) is supported, not %q"},
	"entry.patch-base64":    {FR: "Binary.data n'est pas du base64: %v", EN: "Binary.data is not base64: %v"},
	"entry.url":             {FR: "request.url illisible: %q", EN: "unreadable request.url: %q"},
	"entry.query":           {FR: "request.url: requête illisible: %v", EN: "request.url: unreadable query: %v"},
	"entry.type":            {FR: "entrée %d: type de ressource inconnu dans %q", EN: "entry %d: unknown resource type in %q"},
	"entry.url-method":      {FR: "request.url %q ne convient pas à %s", EN: "request.url %q does not suit %s"},
	"entry.method":          {FR: "request.method inconnue: %q", EN: "unknown request.method: %q"},
	"entry.version":         {FR: "numéro de version invalide dans %q", EN: "invalid version number in %q"},
	"entry.url-unsupported": {FR: "request.url %q non pris en charge", EN: "request.url %q not supported"},
	"entry.failed":          {FR: "entrée %d (%s %s): %s", EN: "entry %d (%s %s): %s"},
	"transaction.vread":     {FR: "vread et historique ne sont pas pris en charge dans une transaction (utilisez un batch)", EN: "vread and history are not supported in a transaction (use a batch)"},
	"transaction.same":      {FR: "les entrées %d et %d visent la même ressource %s", EN: "the entries %d and %d target the same resource %s"},

	// JSON Patch (RFC 6902, RFC 6901 pointers; jsonpatch.go, patch.go)
	"jsonpatch.unreadable":       {FR: "document JSON Patch illisible (RFC 6902 §3): %v", EN: "unreadable JSON Patch document (RFC 6902 §3): %v"},
	"jsonpatch.path":             {FR: "opération %d: « path » manquant", EN: "operation %d: “path” missing"},
	"jsonpatch.value":            {FR: "opération %d (%s): « value » manquant", EN: "operation %d (%s): “value” missing"},
	"jsonpatch.from":             {FR: "opération %d (%s): « from » manquant", EN: "operation %d (%s): “from” missing"},
	"jsonpatch.op":               {FR: "opération %d: op inconnue %q", EN: "operation %d: unknown op %q"},
	"jsonpatch.operation":        {FR: "opération %d (%s %s): %v", EN: "operation %d (%s %s): %v"},
	"jsonpatch.test":             {FR: "le test a échoué: valeur différente", EN: "the test failed: a different value"},
	"jsonpatch.move-into":        {FR: "on ne peut déplacer une valeur dans elle-même", EN: "a value cannot be moved into itself"},
	"jsonpatch.unknown":          {FR: "op inconnue", EN: "unknown op"},
	"jsonpatch.value-unreadable": {FR: "valeur illisible: %v", EN: "unreadable value: %v"},
	"jsonpatch.pointer":          {FR: "pointeur JSON invalide %q (RFC 6901)", EN: "invalid JSON pointer %q (RFC 6901)"},
	"jsonpatch.index":            {FR: "indice de tableau invalide %q", EN: "invalid array index %q"},
	"jsonpatch.index-range":      {FR: "indice de tableau hors limites %q", EN: "array index out of bounds %q"},
	"jsonpatch.absent":           {FR: "chemin absent %q", EN: "no such path %q"},
	"jsonpatch.absent-step":      {FR: "chemin absent /%s", EN: "no such path /%s"},
	"jsonpatch.parent":           {FR: "le parent de %q n'est ni un objet ni un tableau", EN: "the parent of %q is neither an object nor an array"},
	"jsonpatch.root-remove":      {FR: "on ne peut retirer la racine du document", EN: "the document's root cannot be removed"},
	"jsonpatch.root-object":      {FR: "la racine d'une ressource FHIR est un objet", EN: "the root of a FHIR resource is an object"},
	"patch.identity":             {FR: "un patch ne peut changer ni resourceType ni id", EN: "a patch may change neither resourceType nor id"},
	"patch.invalid-result":       {FR: "le résultat du patch est invalide: %s", EN: "the patch's result is invalid: %s"},

	// _include and _revinclude (search.html#include), $everything (patient-operation-everything.html)
	"include.failed":     {FR: "_include=%s:%s ignoré : %v", EN: "_include=%s:%s ignored: %v"},
	"revinclude.failed":  {FR: "_revinclude=%s:%s ignoré : %v", EN: "_revinclude=%s:%s ignored: %v"},
	"include.incomplete": {FR: "inclusions limitées à %d ressources et %d itérations : la liste peut être incomplète", EN: "inclusions limited to %d resources and %d iterations: the list may be incomplete"},
	"everything.type":    {FR: "_type: %q n'est pas un type du compartiment Patient", EN: "_type: %q is not a type of the Patient compartment"},
	"everything.since":   {FR: "_since doit être un instant (AAAA-MM-JJThh:mm:ss+zz:zz): %q", EN: "_since must be an instant (YYYY-MM-DDThh:mm:ss+zz:zz): %q"},
	"everything.count":   {FR: "_count doit être un entier positif: %q", EN: "_count must be a positive integer: %q"},
	"everything.cursor":  {FR: "_cursor invalide: %q", EN: "invalid _cursor: %q"},
	"compartment.type":   {FR: "le type %s ne fait pas partie du compartiment Patient (compartmentdefinition-patient.html)", EN: "the type %s is not part of the Patient compartment (compartmentdefinition-patient.html)"},
	"history.since":      {FR: "_since doit être un instant FHIR (ex. 2026-01-01T00:00:00Z): %q", EN: "_since must be a FHIR instant (e.g. 2026-01-01T00:00:00Z): %q"},
	"history.count":      {FR: "_count doit être un entier positif: %q", EN: "_count must be a positive integer: %q"},
	"import.id":          {FR: "une ressource importée doit avoir un id (elle est écrite comme par PUT)", EN: "an imported resource must have an id (it is written as by PUT)"},
	"patient.missing":    {FR: "le patient %s n'existe pas", EN: "the patient %s does not exist"},
	"type.unknown":       {FR: "type de ressource inconnu: %q", EN: "unknown resource type: %q"},
	"id.invalid":         {FR: "identifiant logique invalide: %q (datatypes.html#id)", EN: "invalid logical id: %q (datatypes.html#id)"},
	"validate.resource":  {FR: "le paramètre « resource » est obligatoire en mode %q", EN: "the parameter “resource” is required in mode %q"},
	"validate.existing":  {FR: "le mode %s vise une ressource existante: POST [type]/[id]/$validate", EN: "the mode %s targets an existing resource: POST [type]/[id]/$validate"},
	"validate.nothing":   {FR: "%s/%s n'existe pas (ou est déjà supprimée): la suppression ne changerait rien", EN: "%s/%s does not exist (or is already deleted): deleting it would change nothing"},
	"validate.index":     {FR: "indexation impossible: %s", EN: "cannot index: %s"},
	"validate.mode":      {FR: "mode inconnu: %q (create, update, delete ou profile)", EN: "unknown mode: %q (create, update, delete or profile)"},
	"write.type":         {FR: "le type de la ressource (%q) ne correspond pas à l'URL (%q)", EN: "the resource's type (%q) does not match the URL's (%q)"},
	"everything.ignored": {FR: "%s n'est pas pris en charge par $everything (ignoré)", EN: "%s is not supported by $everything (ignored)"},
}

// fail is the error of kind saying message id with args, in both languages.
func fail(op string, kind dsn.Kind, id string, args ...any) *dsn.Error {
	t := messages[id].Format(args...)
	return &dsn.Error{Op: op, Kind: kind, Msg: t.FR, English: t.EN}
}

// invalidIn is fail(KindInvalid) with one issue at expr saying it, in both
// languages (invalidf's bilingual form).
func invalidIn(op, expr, id string, args ...any) *dsn.Error {
	e := fail(op, dsn.KindInvalid, id, args...)
	e.Issues = []dsn.Issue{{Severity: "error", Code: "invalid", Diagnostics: e.Msg, English: e.English, Expression: expr}}
	return e
}
