package fhirapi

import (
	"slices"
	"sort"
	"sync"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language"
)

// searchDocumentation says in the CapabilityStatement what search does
// beyond the parameter list (capabilitystatement.html: rest.documentation),
// in the words of search.html, in both languages.
var searchDocumentation = language.Text{
	FR: "Recherche FHIR R4 complète (search.html) : tous les types de paramètres " +
		"(number, date, string, token, reference, quantity, uri, composite) et les préfixes eq ne gt lt ge le sa eb ap ; " +
		"modificateurs :missing :exact :contains :text :not :[type] :identifier :of-type :in :not-in " +
		"(ValueSets et CodeSystems stockés localement), :above :below sur les uri ; chaînage sur 3 niveaux, _has imbriqué ; " +
		"_sort sur plusieurs clés, _count (1000 au plus), pagination par curseur ; _include et _revinclude avec * et " +
		":iterate (3 itérations, 1000 ressources incluses au plus) ; _total=none|estimate|accurate ; " +
		"_summary=true|text|data|count|false ; _elements ; POST _search ; Prefer: handling=strict|lenient ; " +
		"Location near=latitude|longitude|distance|unités (km par défaut, rectangle englobant la distance). " +
		"Non pris en charge : :above/:below sur les jetons et références (serveur de terminologie), _text, _content, " +
		"_filter, _query, _list, _contained.",
	EN: "Complete FHIR R4 search (search.html): every parameter type " +
		"(number, date, string, token, reference, quantity, uri, composite) and the prefixes eq ne gt lt ge le sa eb ap; " +
		"modifiers :missing :exact :contains :text :not :[type] :identifier :of-type :in :not-in " +
		"(ValueSets and CodeSystems stored locally), :above :below on uris; chaining over 3 levels, nested _has; " +
		"_sort on several keys, _count (1000 at most), cursor paging; _include and _revinclude with * and " +
		":iterate (3 iterations, 1000 included resources at most); _total=none|estimate|accurate; " +
		"_summary=true|text|data|count|false; _elements; POST _search; Prefer: handling=strict|lenient; " +
		"Location near=latitude|longitude|distance|units (km by default, a box around the distance). " +
		"Not supported: :above/:below on tokens and references (terminology server), _text, _content, " +
		"_filter, _query, _list, _contained.",
}

var (
	revOnce     sync.Once
	revIncludes map[string][]any // target type -> "Source:param"
)

// searchRevIncludes lists the _revinclude values whose reference parameter
// may point at resources of type t (search.html#revinclude).
func searchRevIncludes(t string) []any {
	revOnce.Do(func() {
		revIncludes = map[string][]any{}
		types := fhir.ResourceTypes()
		sort.Strings(types)
		for _, src := range types {
			params := fhir.SearchParams(src)
			codes := make([]string, 0, len(params))
			for c, p := range params {
				if p.Type == dsn.ParamReference {
					codes = append(codes, c)
				}
			}
			slices.Sort(codes)
			for _, c := range codes {
				for _, target := range params[c].Targets {
					revIncludes[target] = append(revIncludes[target], src+":"+c)
				}
			}
		}
	})
	return revIncludes[t]
}
