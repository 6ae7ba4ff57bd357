package repo

import (
	"dsn"
	"dsn/internal/language/words"
)

// The sentences of repo's version conflicts and conditional operations'
// refusals (http.html#concurrency, #cond-update, #trules), by id, in French
// and in English (every id has both, with the same arguments:
// TestMessagesBothLanguages). The error carries both (Msg, English) and the
// edge chooses (fhirapi: Accept-Language, French by default; a batch entry:
// BundleOptions.English).
var messages = map[string]words.Text{
	"if-match.missing":    {FR: "If-Match: la ressource n'existe pas", EN: "If-Match: the resource does not exist"},
	"if-match.version":    {FR: "If-Match: version %d attendue, la version courante est %d", EN: "If-Match: version %d expected, the current version is %d"},
	"patch.stale":         {FR: "la ressource a changé pendant le patch; réessayez", EN: "the resource changed during the patch; try again"},
	"cond.unreadable":     {FR: "critères de recherche illisibles: %v", EN: "unreadable search criteria: %v"},
	"cond.criteria":       {FR: "une opération conditionnelle exige des critères de recherche", EN: "a conditional operation needs search criteria"},
	"cond.multiple":       {FR: "les critères %q désignent plusieurs ressources %s", EN: "the criteria %q match several %s resources"},
	"cond.none":           {FR: "aucune ressource %s ne correspond aux critères", EN: "no %s resource matches the criteria"},
	"cond.id":             {FR: "l'id de la ressource (%q) ne correspond pas à la ressource trouvée (%q)", EN: "the resource's id (%q) does not match the resource found (%q)"},
	"cond.exists":         {FR: "aucune ressource ne correspond aux critères, mais %s/%s existe déjà", EN: "no resource matches the criteria, but %s/%s already exists"},
	"cond.reference-none": {FR: "la référence conditionnelle %q ne désigne aucune ressource", EN: "the conditional reference %q matches no resource"},
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
