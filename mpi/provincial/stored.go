package provincial

import "dsn/internal/language/words"

// What the MPI writes into the resources it stores (review Tasks,
// Provenance) stays French (decision 0032: stored content is not re-rendered
// per reader), and each such text carries its English beside it in the R4
// translation extension (extension-translation.html) on the string, so a
// reader in English finds English: "text": "à réviser", "_text":
// {"extension": [{"url": TranslationExt, "extension": [{"url": "lang",
// "valueCode": "en"}, {"url": "content", "valueString": "to review"}]}]}.

// TranslationExt is the R4 extension that gives a string's translation.
const TranslationExt = "http://hl7.org/fhir/StructureDefinition/translation"

// storedWords are those texts, in French and English (every id has both,
// with the same arguments: TestStoredWordsBothLanguages).
var storedWords = map[string]words.Text{
	"task.code":          {FR: "Doublon potentiel à réviser", EN: "Potential duplicate to review"},
	"task.open":          {FR: "à réviser", EN: "to review"},
	"task.pair":          {FR: "Inscription Patient/%s et dossier provincial Patient/%s", EN: "Registration Patient/%s and provincial record Patient/%s"},
	"task.scored":        {FR: "Inscription Patient/%s et dossier provincial Patient/%s (par l'inscription Patient/%s) : correspondance %s, %.1f bits, score %.3f", EN: "Registration Patient/%s and provincial record Patient/%s (through registration Patient/%s): %s match, %.1f bits, score %.3f"},
	"in.candidate":       {FR: "dossier provincial proposé", EN: "proposed provincial record"},
	"in.candidate-src":   {FR: "inscription la plus proche", EN: "closest registration"},
	"in.score":           {FR: "score ($match)", EN: "score ($match)"},
	"in.total":           {FR: "poids total (bits)", EN: "total weight (bits)"},
	"in.grade":           {FR: "classe", EN: "grade"},
	"in.rule":            {FR: "règle de protection", EN: "protective rule"},
	"out.decision":       {FR: "décision", EN: "decision"},
	"out.provenance":     {FR: "trace", EN: "provenance"},
	"note.confirmed":     {FR: "doublon confirmé : lié au dossier provincial", EN: "duplicate confirmed: linked to the provincial record"},
	"note.other":         {FR: "inscription liée à un autre dossier provincial", EN: "registration linked to another provincial record"},
	"note.unlinked":      {FR: "dissocié du dossier provincial", EN: "unlinked from the provincial record"},
	"note.rejected":      {FR: "doublon infirmé : personnes différentes", EN: "duplicate rejected: different persons"},
	"note.merged-into":   {FR: "inscription fusionnée dans Patient/%s", EN: "registration merged into Patient/%s"},
	"note.goldens":       {FR: "dossiers provinciaux fusionnés", EN: "provincial records merged"},
	"note.moot":          {FR: "la question ne se pose plus", EN: "the question no longer arises"},
	"note.unmerge-diff":  {FR: "fusion annulée : personnes différentes", EN: "merge undone: different persons"},
	"note.unmerged":      {FR: "fusion de dossiers provinciaux annulée", EN: "merge of provincial records undone"},
	"note.golden-empty":  {FR: "dossier provincial sans inscription (remplacé ou vidé)", EN: "provincial record without registrations (replaced or emptied)"},
	"note.deleted":       {FR: "inscription supprimée", EN: "registration deleted"},
	"note.merged":        {FR: "inscription fusionnée", EN: "registration merged"},
	"reason.auto":        {FR: "correspondance certaine avec l'inscription Patient/%s :\n%s", EN: "certain match with registration Patient/%s:\n%s"},
	"act." + ActAutoLink: {FR: "Liaison automatique au dossier provincial", EN: "Automatic link to the provincial record"},
	"act." + ActLink:     {FR: "Liaison manuelle au dossier provincial", EN: "Manual link to the provincial record"},
	"act." + ActUnlink:   {FR: "Dissociation du dossier provincial", EN: "Unlinked from the provincial record"},
	"act." + ActMerge:    {FR: "Fusion de dossiers", EN: "Records merged"},
	"act." + ActUnmerge:  {FR: "Annulation d'une fusion", EN: "Merge undone"},
	"act." + ActAccept:   {FR: "Doublon confirmé à la revue", EN: "Duplicate confirmed at review"},
	"act." + ActReject:   {FR: "Doublon infirmé à la revue", EN: "Duplicate rejected at review"},
}

// said is the text id of storedWords with args.
func said(id string, args ...any) words.Text { return storedWords[id].Format(args...) }

// setText sets obj[key] to t's French and, when its English differs, puts
// the English in the translation extension of the primitive (obj["_"+key]).
func setText(obj map[string]any, key string, t words.Text) {
	obj[key] = t.FR
	if t.EN == "" || t.EN == t.FR {
		delete(obj, "_"+key)
		return
	}
	obj["_"+key] = map[string]any{"extension": []any{map[string]any{"url": TranslationExt, "extension": []any{
		map[string]any{"url": "lang", "valueCode": "en"},
		map[string]any{"url": "content", "valueString": t.EN}}}}}
}

// textObj is {key: t} with its translation.
func textObj(key string, t words.Text) map[string]any {
	m := map[string]any{}
	setText(m, key, t)
	return m
}

// withText is obj with setText(obj, key, t).
func withText(obj map[string]any, key string, t words.Text) map[string]any {
	setText(obj, key, t)
	return obj
}

// typed is a reason typed by a person (an archivist's note): one language,
// the one it was typed in.
func typed(s string) words.Text { return words.Text{FR: s, EN: s} }
