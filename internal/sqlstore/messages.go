package sqlstore

import (
	"dsn"
	"dsn/internal/language/words"
)

// The sentences of the stores' own refusals besides the write conflicts
// (conflicts.go), the same in both adapters, in French and in English
// (every id has both, with the same arguments:
// TestStoreMessagesBothLanguages): a read of what does not exist or was
// deleted, a bad pagination cursor, a closed store, a job that does not
// exist, a search clause the store cannot run (search checks them first:
// these are its second line). The error carries both (Msg, English); the
// edge chooses (fhirapi: Accept-Language).
var messages = map[string]words.Text{
	"read.missing":         {FR: "%s/%s n'existe pas", EN: "%s/%s does not exist"},
	"read.version":         {FR: "la version %d de %s/%s n'existe pas", EN: "version %d of %s/%s does not exist"},
	"read.deleted":         {FR: "%s/%s a été supprimé", EN: "%s/%s was deleted"},
	"read.version-deleted": {FR: "la version %d de %s/%s est une suppression", EN: "version %d of %s/%s is a deletion"},
	"cursor":               {FR: "curseur de pagination invalide", EN: "invalid pagination cursor"},
	"closed":               {FR: "la base est fermée", EN: "the database is closed"},
	"history.type":         {FR: "l'historique d'une instance demande un type", EN: "the history of an instance needs a type"},
	"batch.twice":          {FR: "%s/%s figure deux fois dans le même lot", EN: "%s/%s appears twice in the same batch"},
	"job.gone":             {FR: "tâche (export ou import) inconnue ou supprimée", EN: "job (export or import) unknown or deleted"},
	"job.export":           {FR: "export %q inconnu", EN: "export %q unknown"},
	"job.import":           {FR: "import %q introuvable", EN: "import %q not found"},
	"record.missing":       {FR: "%s %q introuvable", EN: "%s %q not found"},
	"clause.empty":         {FR: "le paramètre %s n'a pas de valeur", EN: "the parameter %s has no value"},
	"clause.type":          {FR: "le paramètre %s de type %s n'est pas pris en charge", EN: "the parameter %s of type %s is not supported"},
	"clause.modifier":      {FR: "le modificateur :%s n'est pas pris en charge pour %s", EN: "the modifier :%s is not supported for %s"},
	"clause.components":    {FR: "le paramètre composite %s n'a pas de types de composantes", EN: "the composite parameter %s has no component types"},
	"clause.missing":       {FR: "%s:missing attend true ou false", EN: "%s:missing expects true or false"},
	"clause.prefix":        {FR: "le préfixe %q n'est pas pris en charge", EN: "the prefix %q is not supported"},
	"clause.param-type":    {FR: "type de paramètre %s non pris en charge", EN: "parameter type %s not supported"},
	"clause.composite":     {FR: "valeur composite: %d parties pour %d composantes", EN: "composite value: %d parts for %d components"},
}

// Fail is the error of kind saying the sentence id (above) with args, in
// both languages; the adapters use it for their own refusals of the same kind.
func Fail(op string, kind dsn.Kind, id string, args ...any) *dsn.Error {
	t := messages[id].Format(args...)
	return &dsn.Error{Op: op, Kind: kind, Msg: t.FR, English: t.EN}
}
