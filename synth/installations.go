package synth

// installation is a physical site of a CIUSSS carrying one or more missions
// (quebec.md §2.1: an installation is a site; a centre is a mission; missions
// are attributes of the site, not separate organisations). Names are real
// (quebec.md §2.3–2.4, some marked "to verify" there); everything attached to
// them (wards, stretchers, staff, patients) is fictitious.
type installation struct {
	id, name, city, territory string
	missions                  []string // CH, CLSC, CHSLD, CPEJ, CR
	stretchers                int      // ED stretchers (0: no emergency department)
	wards                     []string
}

var installations = []installation{
	{id: "inst-chaur", name: "Centre hospitalier affilié universitaire régional (CHAUR) de Trois-Rivières", city: "Trois-Rivières", territory: "mcq",
		missions: []string{"CH"}, stretchers: 40, wards: []string{"Médecine interne", "Chirurgie générale", "Cardiologie", "Soins intensifs", "Gériatrie active", "Oncologie"}},
	{id: "inst-hcm", name: "Hôpital du Centre-de-la-Mauricie", city: "Shawinigan", territory: "mcq",
		missions: []string{"CH"}, stretchers: 19, wards: []string{"Médecine", "Chirurgie", "Soins intensifs"}},
	{id: "inst-ste-croix", name: "Hôpital Sainte-Croix", city: "Drummondville", territory: "mcq",
		missions: []string{"CH"}, stretchers: 19, wards: []string{"Médecine", "Chirurgie", "Soins intensifs", "Gériatrie active"}},
	{id: "inst-hda", name: "Hôtel-Dieu d'Arthabaska", city: "Victoriaville", territory: "mcq",
		missions: []string{"CH"}, stretchers: 16, wards: []string{"Médecine", "Chirurgie", "Soins intensifs"}},
	{id: "inst-latuque", name: "Centre multiservices de santé et de services sociaux du Haut-Saint-Maurice", city: "La Tuque", territory: "mcq",
		missions: []string{"CH", "CLSC", "CHSLD"}, stretchers: 6, wards: []string{"Médecine"}},
	{id: "inst-christ-roi", name: "Centre multiservices de santé et de services sociaux Christ-Roi", city: "Nicolet", territory: "mcq",
		missions: []string{"CLSC", "CHSLD"}},
	{id: "inst-avellin", name: "Centre de services Avellin-Dalcourt", city: "Louiseville", territory: "mcq",
		missions: []string{"CLSC", "CHSLD"}},
	{id: "inst-fortierville", name: "CLSC de Fortierville", city: "Fortierville", territory: "mcq", missions: []string{"CLSC"}},
	{id: "inst-clsc-tr", name: "CLSC du Cap-de-la-Madeleine", city: "Trois-Rivières", territory: "mcq", missions: []string{"CLSC"}},
	{id: "inst-clsc-shaw", name: "CLSC de Shawinigan", city: "Shawinigan", territory: "mcq", missions: []string{"CLSC"}},
	{id: "inst-clsc-drummond", name: "CLSC Drummond", city: "Drummondville", territory: "mcq", missions: []string{"CLSC"}},
	{id: "inst-clsc-suzor", name: "CLSC Suzor-Coté", city: "Victoriaville", territory: "mcq", missions: []string{"CLSC"}},
	{id: "inst-cooke", name: "Centre d'hébergement Cooke", city: "Trois-Rivières", territory: "mcq", missions: []string{"CHSLD"}},
	{id: "inst-cloutier", name: "Centre Cloutier-du Rivage", city: "Trois-Rivières", territory: "mcq", missions: []string{"CHSLD", "CR"}},
	{id: "inst-interval", name: "Centre de réadaptation InterVal", city: "Trois-Rivières", territory: "mcq", missions: []string{"CR"}},
	{id: "inst-domremy", name: "Domrémy MCQ", city: "Trois-Rivières", territory: "mcq", missions: []string{"CR"}},
	{id: "inst-cj-mcq", name: "Centre jeunesse de la Mauricie et du Centre-du-Québec", city: "Trois-Rivières", territory: "mcq", missions: []string{"CPEJ", "CR"}},

	{id: "inst-hscm", name: "Hôpital du Sacré-Cœur-de-Montréal", city: "Montréal", territory: "nim",
		missions: []string{"CH"}, stretchers: 46, wards: []string{"Médecine interne", "Traumatologie", "Cardiologie", "Soins intensifs", "Pneumologie", "Unité de réadaptation fonctionnelle intensive"}},
	{id: "inst-fleury", name: "Hôpital Fleury", city: "Montréal", territory: "nim",
		missions: []string{"CH"}, stretchers: 24, wards: []string{"Médecine", "Chirurgie", "Gériatrie active"}},
	{id: "inst-jean-talon", name: "Hôpital Jean-Talon", city: "Montréal", territory: "nim",
		missions: []string{"CH"}, stretchers: 22, wards: []string{"Médecine", "Chirurgie", "Soins intensifs"}},
	{id: "inst-albert-prevost", name: "Hôpital en santé mentale Albert-Prévost", city: "Montréal", territory: "nim",
		missions: []string{"CH"}, wards: []string{"Psychiatrie adulte"}},
	{id: "inst-rdp", name: "Hôpital en santé mentale Rivière-des-Prairies", city: "Montréal", territory: "nim",
		missions: []string{"CH"}, wards: []string{"Pédopsychiatrie"}},
	{id: "inst-clsc-ahuntsic", name: "CLSC d'Ahuntsic", city: "Montréal", territory: "nim", missions: []string{"CLSC"}},
	{id: "inst-clsc-mtl-nord", name: "CLSC de Montréal-Nord", city: "Montréal", territory: "nim", missions: []string{"CLSC"}},
	{id: "inst-clsc-bordeaux", name: "CLSC de Bordeaux-Cartierville", city: "Montréal", territory: "nim", missions: []string{"CLSC"}},
	{id: "inst-clsc-st-laurent", name: "CLSC de Saint-Laurent", city: "Montréal", territory: "nim", missions: []string{"CLSC"}},
	{id: "inst-clsc-villeray", name: "CLSC de Villeray", city: "Montréal", territory: "nim", missions: []string{"CLSC"}},
	{id: "inst-clsc-petite-patrie", name: "CLSC de La Petite-Patrie", city: "Montréal", territory: "nim", missions: []string{"CLSC"}},
	{id: "inst-ndm", name: "Centre d'hébergement Notre-Dame-de-la-Merci", city: "Montréal", territory: "nim", missions: []string{"CHSLD"}},
	{id: "inst-chsld-cartierville", name: "Centre d'hébergement de Cartierville", city: "Montréal", territory: "nim", missions: []string{"CHSLD"}},
	{id: "inst-laurendeau", name: "Centre d'hébergement Laurendeau", city: "Montréal", territory: "nim", missions: []string{"CHSLD"}},
	{id: "inst-legare", name: "Centre d'hébergement Légaré", city: "Montréal", territory: "nim", missions: []string{"CHSLD"}},
	{id: "inst-chsld-st-laurent", name: "Centre d'hébergement Saint-Laurent", city: "Montréal", territory: "nim", missions: []string{"CHSLD"}},
}

var ciusss = map[string][2]string{
	"mcq": {"ciusss-mcq", "CIUSSS de la Mauricie-et-du-Centre-du-Québec"},
	"nim": {"ciusss-nim", "CIUSSS du Nord-de-l'Île-de-Montréal"},
}

var missionNames = map[string]string{
	"CH":    "Centre hospitalier",
	"CLSC":  "Centre local de services communautaires",
	"CHSLD": "Centre d'hébergement et de soins de longue durée",
	"CPEJ":  "Centre de protection de l'enfance et de la jeunesse",
	"CR":    "Centre de réadaptation",
}

func (in installation) has(mission string) bool {
	for _, m := range in.missions {
		if m == mission {
			return true
		}
	}
	return false
}

// byMission lists the installations of a territory carrying a mission.
func byMission(territory, mission string) []installation {
	var out []installation
	for _, in := range installations {
		if in.territory == territory && in.has(mission) {
			out = append(out, in)
		}
	}
	return out
}

func installationByID(id string) installation {
	for _, in := range installations {
		if in.id == id {
			return in
		}
	}
	panic("synth: unknown installation " + id)
}
