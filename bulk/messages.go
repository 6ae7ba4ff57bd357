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
// Accept-Language, French by default). A running $import's own errors
// (an input that cannot be read, a job whose upload is gone, the "line N"
// before a rejected record's diagnostics) are said in the job's language,
// the kick-off's (dsn.ImportJob.Language).
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
	"import.request":     {FR: "url d'entrée %q illisible : %v", EN: "unreadable input url %q: %v"},
	"import.fetch":       {FR: "lecture de %s impossible : %v", EN: "cannot read %s: %v"},
	"import.answer":      {FR: "lecture de %s : réponse %s", EN: "reading %s: answer %s"},
	"import.read":        {FR: "lecture de l'entrée impossible : %v", EN: "cannot read the input: %v"},
	"import.too-large":   {FR: "entrée trop volumineuse (limite %d octets)", EN: "input too large (limit %d bytes)"},
	"import.checkpoint":  {FR: "fichier de reprise %s illisible: %v", EN: "unreadable checkpoint file %s: %v"},
	"import.line":        {FR: "ligne %d : %s", EN: "line %d: %s"},
	"import.upload-gone": {FR: "le serveur a redémarré pendant l'import et le corps NDJSON envoyé avec la demande n'a pas été conservé : les lots déjà validés restent enregistrés ; renvoyez le même fichier (l'import est idempotent : ce qui est déjà là ne sera pas dupliqué)", EN: "the server restarted during the import and the NDJSON body sent with the request was not kept: the batches already committed stay stored; send the same file again (the import is idempotent: what is already there will not be duplicated)"},
	"import.loopback":    {FR: "url d'entrée %q : seules les adresses de la boucle locale (127.0.0.1, [::1], localhost) sont acceptées ; envoyez le NDJSON dans le corps de la requête sinon", EN: "input url %q: only loopback addresses (127.0.0.1, [::1], localhost) are accepted; send the NDJSON in the request body otherwise"},
}

// message is err's user message in l (dsn.Message, dsn.EnglishMessage).
func message(err error, l words.Tag) string {
	if l == words.English {
		return dsn.EnglishMessage(err)
	}
	return dsn.Message(err)
}

// fail is the error of kind saying the sentence id with args, in both languages.
func fail(op string, kind dsn.Kind, id string, args ...any) *dsn.Error {
	t := messages[id].Format(args...)
	return &dsn.Error{Op: op, Kind: kind, Msg: t.FR, English: t.EN}
}
