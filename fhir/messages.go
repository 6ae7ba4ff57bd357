package fhir

import "dsn/internal/language/words"

// The sentences of Validate's issues, by id, in French and in English
// (every id has both, with the same arguments: TestMessagesBothLanguages).
// Each dsn.Issue carries both (Diagnostics, English), and the error's
// message both (Msg, English); the edge chooses (fhirapi: Accept-Language,
// French by default). So have Decode's refusals (json.*: a body that is
// not JSON, not an object, without resourceType). An invalid narrative's reason
// (xhtml.go) stays French in both.
var messages = map[string]words.Text{
	"invalid":           {FR: "ressource non conforme à FHIR R4 : %s (%s)", EN: "resource not valid against FHIR R4: %s (%s)"},
	"invalid.more":      {FR: "%s, et %d autre(s) problème(s)", EN: "%s, and %d more problem(s)"},
	"type.absent":       {FR: "l'élément resourceType est absent ou n'est pas une chaîne", EN: "the resourceType element is missing or not a string"},
	"type.unknown":      {FR: "type de ressource inconnu : %q", EN: "unknown resource type: %q"},
	"type.here":         {FR: "une ressource %s n'est pas permise ici (attendu : %s)", EN: "a %s resource is not allowed here (expected: %s)"},
	"object.empty":      {FR: "un objet vide n'est pas permis", EN: "an empty object is not allowed"},
	"element":           {FR: "élément inconnu %q pour le type %s", EN: "unknown element %q for the type %s"},
	"required":          {FR: "l'élément obligatoire %s est absent (minimum %d)", EN: "the required element %s is missing (minimum %d)"},
	"choice":            {FR: "l'élément %s[x] ne peut avoir qu'un type (trouvé %s et %s)", EN: "the element %s[x] may have one type only (found %s and %s)"},
	"one":               {FR: "une seule valeur est permise, pas un tableau", EN: "a single value is allowed, not an array"},
	"null":              {FR: "la valeur null n'est pas permise", EN: "the value null is not allowed"},
	"array":             {FR: "un tableau JSON est attendu (l'élément se répète)", EN: "a JSON array is expected (the element repeats)"},
	"array.empty":       {FR: "un tableau vide n'est pas permis", EN: "an empty array is not allowed"},
	"array.null":        {FR: "null n'est permis dans un tableau que si _%s porte une extension à cette position", EN: "null is allowed in an array only if _%s has an extension at that position"},
	"min":               {FR: "au moins %d valeur(s) requise(s), %d trouvée(s)", EN: "at least %d value(s) required, %d found"},
	"max":               {FR: "au plus %d valeur(s) permise(s), %d trouvée(s)", EN: "at most %d value(s) allowed, %d found"},
	"object":            {FR: "un objet JSON est attendu (type %s)", EN: "a JSON object is expected (type %s)"},
	"boolean":           {FR: "un booléen JSON (true/false) est attendu", EN: "a JSON boolean (true/false) is expected"},
	"number":            {FR: "un nombre JSON est attendu (type %s)", EN: "a JSON number is expected (type %s)"},
	"number.value":      {FR: "valeur %s invalide pour le type %s", EN: "invalid value %s for the type %s"},
	"string":            {FR: "une chaîne JSON est attendue (type %s)", EN: "a JSON string is expected (type %s)"},
	"string.empty":      {FR: "une chaîne vide n'est pas permise", EN: "an empty string is not allowed"},
	"string.value":      {FR: "valeur %q invalide pour le type %s", EN: "invalid value %q for the type %s"},
	"xhtml":             {FR: "récit XHTML invalide : %s", EN: "invalid XHTML narrative: %s"},
	"code":              {FR: "le code %q n'appartient pas à l'ensemble de valeurs %s", EN: "the code %q is not in the value set %s"},
	"coding":            {FR: "le code %s#%s n'appartient pas à l'ensemble de valeurs %s", EN: "the code %s#%s is not in the value set %s"},
	"coding.none":       {FR: "aucun codage de l'ensemble de valeurs requis %s", EN: "no coding from the required value set %s"},
	"ref":               {FR: "référence invalide %q (attendu Type/id, une URL absolue, #id, urn:uuid: ou urn:oid:)", EN: "invalid reference %q (expected Type/id, an absolute URL, #id, urn:uuid: or urn:oid:)"},
	"ref.type":          {FR: "la référence %q désigne un type de ressource inconnu %q", EN: "the reference %q names an unknown resource type %q"},
	"ref.target":        {FR: "une référence vers %s n'est pas permise ici (cibles : %s)", EN: "a reference to %s is not allowed here (targets: %s)"},
	"ext.object":        {FR: "un objet JSON est attendu (id et extensions de %s)", EN: "a JSON object is expected (id and extensions of %s)"},
	"ext.array":         {FR: "un tableau non vide est attendu, aligné sur %s", EN: "a non-empty array is expected, aligned with %s"},
	"ext.length":        {FR: "_%s doit avoir autant d'éléments que %s (%d ≠ %d)", EN: "_%s must have as many elements as %s (%d ≠ %d)"},
	"ext.nothing":       {FR: "ni valeur ni extension à cette position", EN: "neither a value nor an extension at this position"},
	"json.after":        {FR: "données après la valeur JSON", EN: "data after the JSON value"},
	"json.end":          {FR: "fin inattendue du JSON", EN: "unexpected end of the JSON"},
	"json.char":         {FR: "caractère inattendu", EN: "unexpected character"},
	"json.deep":         {FR: "JSON trop profondément imbriqué", EN: "JSON nested too deeply"},
	"json.name":         {FR: "nom de propriété attendu", EN: "a property name expected"},
	"json.colon":        {FR: "':' attendu", EN: "':' expected"},
	"json.object-sep":   {FR: "',' ou '}' attendu", EN: "',' or '}' expected"},
	"json.array-sep":    {FR: "',' ou ']' attendu", EN: "',' or ']' expected"},
	"json.number":       {FR: "nombre invalide", EN: "invalid number"},
	"json.control":      {FR: "caractère de contrôle dans une chaîne", EN: "a control character in a string"},
	"json.unterminated": {FR: "chaîne non terminée", EN: "unterminated string"},
	"json.escape":       {FR: "séquence d'échappement invalide", EN: "invalid escape sequence"},
	"json.unicode":      {FR: "échappement \\u invalide", EN: "invalid \\u escape"},
	"json.utf8":         {FR: "chaîne en UTF-8 invalide", EN: "a string in invalid UTF-8"},
	"json.duplicate":    {FR: "propriété %q en double", EN: "property %q twice"},
	"json.invalid":      {FR: "le corps n'est pas du JSON valide: %s (octet %d)", EN: "the body is not valid JSON: %s (byte %d)"},
	"json.object":       {FR: "une ressource FHIR doit être un objet JSON", EN: "a FHIR resource must be a JSON object"},
	"json.type":         {FR: "l'élément resourceType est absent", EN: "the resourceType element is missing"},
	"ext.item":          {FR: "un objet JSON ou null est attendu dans _%s", EN: "a JSON object or null is expected in _%s"},
}

// text is one sentence in French and in English.
type text = words.Text

// say is the sentence id with args, in both languages.
func say(id string, args ...any) text { return messages[id].Format(args...) }
