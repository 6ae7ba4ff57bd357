package synth

import "fmt"

// area is a group of forward sortation areas (FSA, the first 3 characters of a
// Canadian postal code) with its municipality and a few real street names.
// FSAs and streets are real; house numbers and the last 3 characters of the
// postal codes are drawn at random, so addresses look right but are fictitious.
type area struct {
	city, district string
	fsas           []string
	streets        []string
	weight         float64 // share of the territory's population (approximate)
	near           string  // id of the nearest hospital installation
	clsc           string  // id of the local CLSC
}

var areas = map[string][]area{
	"mcq": {
		{city: "Trois-Rivières", fsas: []string{"G8T", "G8V", "G8W", "G8Y", "G8Z", "G9A", "G9B", "G9C"}, weight: 26, near: "inst-chaur", clsc: "inst-clsc-tr",
			streets: []string{"rue des Forges", "boulevard des Récollets", "rue Royale", "boulevard Jean-XXIII", "rue Notre-Dame Centre", "boulevard des Forges", "rue Saint-Maurice", "boulevard Thibeau", "rue Bellefeuille"}},
		{city: "Shawinigan", fsas: []string{"G9N", "G9P", "G9R", "G9T"}, weight: 10, near: "inst-hcm", clsc: "inst-clsc-shaw",
			streets: []string{"5e Rue de la Pointe", "avenue de Grand-Mère", "boulevard Saint-Sacrement", "avenue de la Station", "rue Trudel", "6e Avenue"}},
		{city: "Drummondville", fsas: []string{"J2A", "J2B", "J2C", "J2E"}, weight: 21, near: "inst-ste-croix", clsc: "inst-clsc-drummond",
			streets: []string{"boulevard Saint-Joseph", "rue Hériot", "rue Lindsay", "boulevard Mercure", "rue Saint-Pierre", "boulevard Saint-Charles", "rue Cockburn"}},
		{city: "Victoriaville", fsas: []string{"G6P", "G6S", "G6T"}, weight: 14, near: "inst-hda", clsc: "inst-clsc-suzor",
			streets: []string{"boulevard des Bois-Francs Nord", "rue Notre-Dame Est", "boulevard Jutras Est", "rue Saint-Jean-Baptiste", "rue de l'Aqueduc"}},
		{city: "La Tuque", fsas: []string{"G9X"}, weight: 3, near: "inst-latuque", clsc: "inst-latuque",
			streets: []string{"rue Saint-Joseph", "boulevard Ducharme", "rue Commerciale", "rue Tessier"}},
		{city: "Nicolet", fsas: []string{"J3T"}, weight: 5, near: "inst-chaur", clsc: "inst-christ-roi",
			streets: []string{"rue Notre-Dame", "rue Mgr-Panet", "rue Saint-Jean-Baptiste", "boulevard Louis-Fréchette"}},
		{city: "Louiseville", fsas: []string{"J5V"}, weight: 4, near: "inst-chaur", clsc: "inst-avellin",
			streets: []string{"avenue Saint-Laurent", "rue Notre-Dame Nord", "avenue Royale"}},
		{city: "Saint-Tite", fsas: []string{"G0X"}, weight: 17, near: "inst-hcm", clsc: "inst-clsc-shaw",
			streets: []string{"rue Notre-Dame", "rang Saint-Pierre", "route 153", "rue Principale", "chemin du Lac"}},
	},
	"nim": {
		{city: "Montréal", district: "Ahuntsic-Cartierville", fsas: []string{"H2M", "H2N", "H3L", "H2C", "H2B"}, weight: 22, near: "inst-fleury", clsc: "inst-clsc-ahuntsic",
			streets: []string{"rue Fleury Est", "boulevard Henri-Bourassa Est", "rue Lajeunesse", "avenue Christophe-Colomb", "rue Sauvé Est", "boulevard Gouin Est", "rue Prieur Est"}},
		{city: "Montréal", district: "Ahuntsic-Cartierville", fsas: []string{"H4J", "H4K", "H3M"}, weight: 14, near: "inst-hscm", clsc: "inst-clsc-bordeaux",
			streets: []string{"boulevard Gouin Ouest", "boulevard Laurentien", "rue Grenet", "boulevard de l'Acadie", "rue de Salaberry"}},
		{city: "Montréal", district: "Saint-Laurent", fsas: []string{"H4L", "H4M", "H4N", "H4R", "H4S"}, weight: 23, near: "inst-hscm", clsc: "inst-clsc-st-laurent",
			streets: []string{"boulevard Décarie", "boulevard Marcel-Laurin", "boulevard de la Côte-Vertu", "rue Poirier", "boulevard Thimens", "rue du Collège"}},
		{city: "Montréal", district: "Montréal-Nord", fsas: []string{"H1G", "H1H"}, weight: 19, near: "inst-fleury", clsc: "inst-clsc-mtl-nord",
			streets: []string{"boulevard Léger", "rue de Castille", "boulevard Pie-IX", "boulevard Henri-Bourassa Est", "avenue Bellevue", "rue Charleroi"}},
		{city: "Montréal", district: "Villeray–Saint-Michel–Parc-Extension", fsas: []string{"H2P", "H2R", "H2E"}, weight: 12, near: "inst-jean-talon", clsc: "inst-clsc-villeray",
			streets: []string{"rue Jarry Est", "rue Villeray", "rue Saint-Hubert", "rue De Castelnau Est", "avenue Papineau"}},
		{city: "Montréal", district: "Rosemont–La Petite-Patrie", fsas: []string{"H2S", "H2G"}, weight: 10, near: "inst-jean-talon", clsc: "inst-clsc-petite-patrie",
			streets: []string{"rue Saint-Denis", "rue Beaubien Est", "boulevard Saint-Laurent", "rue Bélanger", "avenue De Lorimier"}},
	},
}

// areaCodes are the telephone area codes of each territory.
var areaCodes = map[string][]string{"mcq": {"819", "819", "819", "873"}, "nim": {"514", "514", "438"}}

// postalLetters may appear in Canadian postal codes (Canada Post excludes D F I O Q U).
const postalLetters = "ABCEGHJKLMNPRSTVWXYZ"

func postalCode(r rng, fsa string) string {
	return fmt.Sprintf("%s %d%c%d", fsa, r.IntN(10), postalLetters[r.IntN(len(postalLetters))], r.IntN(10))
}

func phone(r rng, territory string) string {
	return fmt.Sprintf("%s-%03d-%04d", pick(r, areaCodes[territory]), 200+r.IntN(800), r.IntN(10000))
}

// address builds a home address in area a.
func address(r rng, a area) obj {
	line := fmt.Sprintf("%d, %s", 10+r.IntN(9000), pick(r, a.streets))
	if r.chance(0.25) {
		line = fmt.Sprintf("%d-%s", 1+r.IntN(12), line)
	}
	ad := obj{"use": "home", "type": "physical", "line": []any{line}, "city": a.city,
		"state": "QC", "postalCode": postalCode(r, pick(r, a.fsas)), "country": "CA"}
	if a.district != "" {
		ad["district"] = a.district
	}
	return ad
}
