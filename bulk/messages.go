package bulk

import (
	"dsn"
	"dsn/internal/language/words"
)

// The sentences of the bulk operations' refusals that reach the client at
// the kick-off or the status request ($export's parameters, $import's
// inputs, unknown jobs and files), by id, in French and in English (every
// id has both, with the same arguments: TestMessagesBothLanguages). The
// error carries both (Msg, English); the edge chooses (fhirapi:
// Accept-Language, French by default). A running import's own errors stay
// French (its OperationOutcome files).
var messages = map[string]words.Text{
	"export.type":        {FR: "_type: type de ressource inconnu: %q", EN: "_type: unknown resource type: %q"},
	"export.patient":     {FR: "le paramètre patient ne vaut que pour Patient/$export et Group/[id]/$export", EN: "the patient parameter applies only to Patient/$export and Group/[id]/$export"},
	"export.level":       {FR: "niveau d'export inconnu: %q", EN: "unknown export level: %q"},
	"import.no-input":    {FR: "$import sans entrée : au moins un input (type, url) ou un corps NDJSON", EN: "$import without input: at least one input (type, url) or an NDJSON body"},
	"import.busy":        {FR: "trop d'imports en attente ; réessayez plus tard", EN: "too many imports waiting; try again later"},
	"import.errors-file": {FR: "fichier d'erreurs %d de l'import %s introuvable", EN: "error file %d of the import %s not found"},
	"export.missing":     {FR: "export %s introuvable", EN: "export %s not found"},
	"export.file":        {FR: "fichier %d de l'export %s introuvable", EN: "file %d of the export %s not found"},
	"import.url":         {FR: "url d'entrée %q : http(s)://… attendu", EN: "input url %q: http(s)://… expected"},
	"import.loopback":    {FR: "url d'entrée %q : seules les adresses de la boucle locale (127.0.0.1, [::1], localhost) sont acceptées ; envoyez le NDJSON dans le corps de la requête sinon", EN: "input url %q: only loopback addresses (127.0.0.1, [::1], localhost) are accepted; send the NDJSON in the request body otherwise"},
}

// fail is the error of kind saying the sentence id with args, in both languages.
func fail(op string, kind dsn.Kind, id string, args ...any) *dsn.Error {
	t := messages[id].Format(args...)
	return &dsn.Error{Op: op, Kind: kind, Msg: t.FR, English: t.EN}
}
