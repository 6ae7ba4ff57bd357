package search

import "dsn/internal/language/words"

// The sentences of the search parameter errors and warnings, by id, in
// French and in English (every id has both, with the same arguments:
// TestMessagesBothLanguages). A refusal's dsn.Issue carries both
// (Diagnostics, English) and the refused query's dsn.Error both (Msg,
// English); the edge chooses (fhirapi: Accept-Language, French by default).
var messages = map[string]words.Text{
	"vs.deep":              {FR: "ValueSet %s : inclusions trop imbriquées (%d niveaux au plus)", EN: "ValueSet %s: inclusions nested too deeply (%d levels at most)"},
	"vs.unknown":           {FR: "ValueSet %s inconnu sur ce serveur (il faudrait un serveur de terminologie)", EN: "ValueSet %s unknown on this server (a terminology server would be needed)"},
	"vs.filter":            {FR: "ValueSet %s : un filtre sur %s demande un serveur de terminologie", EN: "ValueSet %s: a filter on %s needs a terminology server"},
	"vs.intersection":      {FR: "ValueSet %s : une intersection de ValueSets demande un serveur de terminologie", EN: "ValueSet %s: an intersection of ValueSets needs a terminology server"},
	"vs.system":            {FR: "ValueSet %s : inclusion sans système", EN: "ValueSet %s: an inclusion without a system"},
	"refused":              {FR: "paramètres de recherche refusés: %s", EN: "search parameters refused: %s"},
	"ignored":              {FR: "%s (paramètre ignoré)", EN: "%s (parameter ignored)"},
	"later":                {FR: "le paramètre %s n'est pas encore pris en charge (ignoré)", EN: "the parameter %s is not supported yet (ignored)"},
	"count":                {FR: "_count doit être un entier positif: %q", EN: "_count must be a positive integer: %q"},
	"count.max":            {FR: "_count ramené à %d", EN: "_count lowered to %d"},
	"total":                {FR: "valeur de _total inconnue: %q (none, estimate, accurate)", EN: "unknown _total value: %q (none, estimate, accurate)"},
	"param.no":             {FR: "le paramètre %s n'est pas pris en charge", EN: "the parameter %s is not supported"},
	"param.unknown":        {FR: "paramètre de recherche inconnu pour %s: %s", EN: "unknown search parameter for %s: %s"},
	"param.unknown-*":      {FR: "paramètre de recherche inconnu pour la recherche globale: %s", EN: "unknown search parameter for the search across all types: %s"},
	"param.empty":          {FR: "le paramètre %s n'a pas de valeur", EN: "the parameter %s has no value"},
	"param.column":         {FR: "le modificateur :%s n'est pas pris en charge pour %s", EN: "the modifier :%s is not supported for %s"},
	"param.criterion":      {FR: "%s n'est pas un critère de recherche", EN: "%s is not a search criterion"},
	"near.modifier":        {FR: "le modificateur :%s n'est pas pris en charge pour near", EN: "the modifier :%s is not supported for near"},
	"near.form":            {FR: "attendu latitude|longitude|distance|unités (par exemple 46.35|-72.55|10|km)", EN: "expected latitude|longitude|distance|units (for example 46.35|-72.55|10|km)"},
	"near.lat":             {FR: "latitude invalide: %q (entre -90 et 90)", EN: "invalid latitude: %q (between -90 and 90)"},
	"near.long":            {FR: "longitude invalide: %q (entre -180 et 180)", EN: "invalid longitude: %q (between -180 and 180)"},
	"near.distance":        {FR: "distance invalide: %q", EN: "invalid distance: %q"},
	"near.unit":            {FR: "unité de distance inconnue: %q (km, m, [mi_i])", EN: "unknown distance unit: %q (km, m, [mi_i])"},
	"chain.no-ref":         {FR: "%s n'est pas une référence: on ne peut pas le chaîner", EN: "%s is not a reference: it cannot be chained"},
	"chain.depth":          {FR: "chaînage trop profond (%d niveaux au plus)", EN: "chaining too deep (%d levels at most)"},
	"chain.empty":          {FR: "%s: paramètre chaîné vide", EN: "%s: empty chained parameter"},
	"chain.type":           {FR: "type inconnu %q", EN: "unknown type %q"},
	"chain.target":         {FR: "%s n'est pas une cible permise (%s)", EN: "%s is not an allowed target (%s)"},
	"chain.which":          {FR: "précisez le type de la cible (%s:Type.%s)", EN: "name the target's type (%s:Type.%s)"},
	"has.form":             {FR: "%s: attendu _has:Type:référence:paramètre", EN: "%s: expected _has:Type:reference:parameter"},
	"has.type":             {FR: "%s: type inconnu %q", EN: "%s: unknown type %q"},
	"has.ref":              {FR: "%s: %s n'est pas une référence de %s", EN: "%s: %s is not a reference of %s"},
	"has.target":           {FR: "%s: %s.%s ne peut pas désigner un(e) %s", EN: "%s: %s.%s cannot point to a %s"},
	"has.depth":            {FR: "_has trop imbriqué (%d niveaux au plus)", EN: "_has nested too deep (%d levels at most)"},
	"sort":                 {FR: "_sort: %q n'est pas un paramètre triable de %s", EN: "_sort: %q is not a sortable parameter of %s"},
	"sort-*":               {FR: "_sort: %q n'est pas un paramètre triable de la recherche globale", EN: "_sort: %q is not a sortable parameter of the search across all types"},
	"include.modifier":     {FR: "%s: modificateur inconnu :%s", EN: "%s: unknown modifier :%s"},
	"include.form":         {FR: "%s=%s: attendu Type:paramètre[:Cible]", EN: "%s=%s: expected Type:parameter[:Target]"},
	"include.source":       {FR: "type source inconnu %q", EN: "unknown source type %q"},
	"include.star":         {FR: "* ne prend pas de cible", EN: "* takes no target"},
	"include.ref":          {FR: "%s n'est pas une référence de %s", EN: "%s is not a reference of %s"},
	"include.target":       {FR: "%s n'est pas une cible de %s.%s", EN: "%s is not a target of %s.%s"},
	"summary":              {FR: "valeur de _summary inconnue: %q (true, text, data, count, false)", EN: "unknown _summary value: %q (true, text, data, count, false)"},
	"elements":             {FR: "_elements: nom d'élément mal formé %q", EN: "_elements: malformed element name %q"},
	"type.no":              {FR: "les paramètres de type %s ne sont pas encore pris en charge", EN: "parameters of type %s are not supported yet"},
	"type.other":           {FR: "type %s", EN: "type %s"},
	"composite.none":       {FR: "paramètre composite sans composantes: %s", EN: "composite parameter without components: %s"},
	"modifier.terminology": {FR: "le modificateur :%s sur un jeton demande un serveur de terminologie (non pris en charge)", EN: "the modifier :%s on a token needs a terminology server (not supported)"},
	"modifier.type":        {FR: "le modificateur :%s n'est pas pris en charge pour un paramètre %s", EN: "the modifier :%s is not supported for a %s parameter"},
	"modifier.hierarchy":   {FR: "le modificateur :%s sur une référence demande une hiérarchie de ressources (non pris en charge)", EN: "the modifier :%s on a reference needs a resource hierarchy (not supported)"},
	"modifier.unknown":     {FR: "modificateur inconnu :%s", EN: "unknown modifier :%s"},
	"token.empty":          {FR: "jeton vide %q", EN: "empty token %q"},
	"token.form":           {FR: "jeton mal formé %q: attendu [système]|[code]", EN: "malformed token %q: expected [system]|[code]"},
	"ref.form":             {FR: "référence mal formée %q: attendu Type/id", EN: "malformed reference %q: expected Type/id"},
	"ref.modifier":         {FR: "la référence %q contredit le modificateur :%s", EN: "the reference %q contradicts the modifier :%s"},
	"ref.id":               {FR: "identifiant de ressource mal formé %q", EN: "malformed resource id %q"},
	"value.none":           {FR: "aucune valeur", EN: "no value"},
	"value.missing":        {FR: ":missing attend true ou false, pas %q", EN: ":missing expects true or false, not %q"},
	"value.quantity":       {FR: "quantité mal formée %q: attendu [préfixe]nombre|système|code", EN: "malformed quantity %q: expected [prefix]number|system|code"},
	"value.date":           {FR: "date mal formée %q: attendu AAAA[-MM[-JJ[Thh:mm[:ss][Z|±hh:mm]]]]", EN: "malformed date %q: expected YYYY[-MM[-DD[Thh:mm[:ss][Z|±hh:mm]]]]"},
	"value.number":         {FR: "nombre mal formé %q", EN: "malformed number %q"},
	"value.of-type":        {FR: ":of-type attend système|code|valeur, pas %q", EN: ":of-type expects system|code|value, not %q"},
	"value.composite":      {FR: "valeur composite %q: %d parties attendues séparées par $", EN: "composite value %q: %d parts expected, separated by $"},
	"value.part":           {FR: "valeur composite %q: partie %d invalide", EN: "composite value %q: part %d invalid"},
}

// text is one sentence in French and in English.
type text = words.Text

// say is the sentence id with args, in both languages.
func say(id string, args ...any) text { return messages[id].Format(args...) }

// within is the sentence id around t: each language's t its one argument.
func within(id string, t text) text {
	m := messages[id]
	return text{FR: sprintf(m.FR, t.FR), EN: sprintf(m.EN, t.EN)}
}

// after is t behind prefix and a colon, the form of a parameter's refusal.
func after(prefix string, t text) text {
	return text{FR: prefix + ": " + t.FR, EN: prefix + ": " + t.EN}
}

// sayp is say for a result that may be absent.
func sayp(id string, args ...any) *text {
	t := say(id, args...)
	return &t
}
