package provincial

import (
	"dsn"
	"dsn/internal/language/words"
)

// The sentences of the provincial record's operations ($merge, $unmerge,
// $mpi-link, $mpi-unlink, $mpi-accept, $mpi-reject): their outcomes
// (Result.Message, Result.English) and their refusals (business rules,
// missing patients or Tasks), by id, in French and in English (every id has
// both, with the same arguments: TestMessagesBothLanguages). The edge
// chooses (fhirapi: Accept-Language, French by default).
var messages = map[string]words.Text{
	"accept.done":         {FR: "doublon confirmé : inscription liée au dossier provincial Patient/%s", EN: "duplicate confirmed: registration linked to the provincial record Patient/%s"},
	"golden.empty":        {FR: "le dossier provincial Patient/%s n'a plus d'inscription", EN: "the provincial record Patient/%s has no registration left"},
	"golden.managed":      {FR: "Patient/%s est un dossier provincial géré par l'index patient : il se modifie par les opérations $mpi-link, $mpi-unlink, $merge et $unmerge", EN: "Patient/%s is a provincial record managed by the patient index: it changes through the operations $mpi-link, $mpi-unlink, $merge and $unmerge"},
	"link.already":        {FR: "Patient/%s est déjà lié au dossier provincial Patient/%s", EN: "Patient/%s is already linked to the provincial record Patient/%s"},
	"link.chain":          {FR: "chaîne de remplacements trop longue à partir de Patient/%s", EN: "chain of replacements too long from Patient/%s"},
	"link.done":           {FR: "Patient/%s est lié au dossier provincial Patient/%s", EN: "Patient/%s is linked to the provincial record Patient/%s"},
	"link.golden":         {FR: "Patient/%s est un dossier provincial, pas une inscription", EN: "Patient/%s is a provincial record, not a registration"},
	"link.merged":         {FR: "Patient/%s a été fusionné dans Patient/%s", EN: "Patient/%s was merged into Patient/%s"},
	"link.not-golden":     {FR: "Patient/%s n'est pas un dossier provincial", EN: "Patient/%s is not a provincial record"},
	"link.replaced":       {FR: "le dossier provincial Patient/%s a été remplacé par Patient/%s", EN: "the provincial record Patient/%s was replaced by Patient/%s"},
	"merge.already":       {FR: "Patient/%s a déjà été fusionné dans Patient/%s", EN: "Patient/%s was already merged into Patient/%s"},
	"merge.done":          {FR: "Patient/%s fusionné dans Patient/%s", EN: "Patient/%s merged into Patient/%s"},
	"merge.kinds":         {FR: "on fusionne deux inscriptions ou deux dossiers provinciaux, pas une inscription avec un dossier provincial (utilisez $mpi-link)", EN: "one merges two registrations or two provincial records, not a registration with a provincial record (use $mpi-link)"},
	"merge.preview":       {FR: "aperçu : rien n'a été écrit", EN: "preview: nothing was written"},
	"merge.result":        {FR: "result-patient doit être la cible Patient/%s (id %q)", EN: "result-patient must be the target Patient/%s (id %q)"},
	"merge.rewrite":       {FR: "impossible de réécrire %s vers la cible : %s", EN: "cannot rewrite %s towards the target: %s"},
	"merge.self":          {FR: "un patient ne peut pas être fusionné avec lui-même (Patient/%s)", EN: "a patient cannot be merged with itself (Patient/%s)"},
	"merge.target-merged": {FR: "la cible Patient/%s a elle-même été fusionnée dans Patient/%s", EN: "the target Patient/%s was itself merged into Patient/%s"},
	"patient.deleted":     {FR: "le patient %s a été supprimé", EN: "the patient %s was deleted"},
	"patient.missing":     {FR: "le patient %s n'existe pas", EN: "the patient %s does not exist"},
	"reject.done":         {FR: "doublon infirmé : les deux dossiers restent distincts", EN: "duplicate refuted: the two records stay apart"},
	"task.done":           {FR: "la tâche de revue Task/%s est déjà traitée (statut %s)", EN: "the review task Task/%s is already handled (status %s)"},
	"task.missing":        {FR: "la tâche de revue Task/%s n'existe pas", EN: "the review task Task/%s does not exist"},
	"task.not-review":     {FR: "Task/%s n'est pas une tâche de revue de l'index patient", EN: "Task/%s is not a review task of the patient index"},
	"unlink.done":         {FR: "Patient/%s a son propre dossier provincial Patient/%s", EN: "Patient/%s has its own provincial record Patient/%s"},
	"unlink.none":         {FR: "Patient/%s n'est lié à aucun dossier provincial (liaison en cours ?)", EN: "Patient/%s is linked to no provincial record (linking in progress?)"},
	"unlink.only":         {FR: "Patient/%s est la seule inscription du dossier provincial Patient/%s : rien à dissocier", EN: "Patient/%s is the only registration of the provincial record Patient/%s: nothing to unlink"},
	"unmerge.done":        {FR: "fusion de Patient/%s dans Patient/%s annulée", EN: "merge of Patient/%s into Patient/%s undone"},
	"unmerge.missed":      {FR: "%d référence(s) modifiée(s) ou supprimée(s) depuis la fusion laissée(s) telle(s) quelle(s)", EN: "%d reference(s) changed or deleted since the merge left as they are"},
	"unmerge.not-merged":  {FR: "Patient/%s n'est pas (ou plus) fusionné dans Patient/%s", EN: "Patient/%s is not (or no longer) merged into Patient/%s"},
	"unmerge.nothing":     {FR: "Patient/%s n'a pas été fusionné dans Patient/%s : rien à annuler", EN: "Patient/%s was not merged into Patient/%s: nothing to undo"},
}

// say is the sentence id with args, in both languages.
func say(id string, args ...any) words.Text { return messages[id].Format(args...) }

// fail is the error of kind saying the sentence id with args, in both languages.
func fail(op string, kind dsn.Kind, id string, args ...any) *dsn.Error {
	t := say(id, args...)
	return &dsn.Error{Op: op, Kind: kind, Msg: t.FR, English: t.EN}
}
