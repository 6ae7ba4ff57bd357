package synth

// Name tables. Québec surnames are ordered by frequency (the Institut de la
// statistique du Québec publishes the top surnames; the order here is
// approximate). Other origins reflect communities present in the two
// territories (Montréal-Nord: Haitian; Saint-Laurent: Lebanese and Maghrebi;
// La Petite-Patrie and Villeray: Latin-American, Vietnamese; Ahuntsic: Italian).

// origin is a naming tradition with its own surnames and given names.
type origin struct {
	code            string // short key, also used for languages
	surnames        []string
	male, female    []string
	languages       []string // BCP 47, first is the most frequent
	langWeights     []float64
	compoundSurname float64 // chance of a two-part surname
}

var frenchCanadianSurnames = []string{
	"Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
	"Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard", "Boucher",
	"Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin",
	"Thibault", "St-Pierre", "Nadeau", "Martin", "Landry", "Martel", "Bédard", "Grenier", "Lessard", "Bernier",
	"Richard", "Michaud", "Hébert", "Desjardins", "Couture", "Turcotte", "Lachance", "Parent", "Blais", "Gosselin",
	"Savard", "Proulx", "Beaudoin", "Demers", "Perreault", "Boudreau", "Lemieux", "Cyr", "Perron", "Dufour",
	"Dion", "Mercier", "Bolduc", "Bérubé", "Boisvert", "Langlois", "Ménard", "Lemay", "Houle", "Béliveau",
	"Desrosiers", "Lacroix", "Lampron", "Lamothe", "Saint-Onge", "Pépin", "Rivard", "Laroche", "Trudel", "Milot",
	"Sainte-Marie", "D'Amours", "L'Heureux", "Provencher", "Lupien", "Hamel", "Vallée", "Deschênes", "Marchand", "Brûlé",
}

// French-Canadian given names by birth period: fashions changed a lot.
var fcMale = map[int][]string{
	1920: {"Jean", "Joseph", "Marcel", "Roger", "Gérard", "Lucien", "Maurice", "Armand", "Paul-Émile", "Rosaire"},
	1950: {"Michel", "Pierre", "Gilles", "Réjean", "Jacques", "Yvon", "Denis", "Claude", "Gaétan", "Jean-Guy"},
	1970: {"Sylvain", "Stéphane", "Martin", "Éric", "Patrick", "Luc", "Jean-François", "Sébastien", "Marc-André", "François"},
	1990: {"Maxime", "Alexandre", "Samuel", "Gabriel", "Olivier", "Félix", "Jérémy", "Vincent", "Mathieu", "Pier-Luc"},
	2010: {"William", "Liam", "Thomas", "Noah", "Léo", "Jacob", "Nathan", "Édouard", "Louis", "Arthur"},
}

var fcFemale = map[int][]string{
	1920: {"Marie", "Jeanne", "Thérèse", "Rita", "Gisèle", "Cécile", "Yvette", "Georgette", "Marie-Rose", "Germaine"},
	1950: {"Lise", "Monique", "Ginette", "Huguette", "Pierrette", "Francine", "Diane", "Nicole", "Louise", "Micheline"},
	1970: {"Nathalie", "Isabelle", "Julie", "Sylvie", "Chantal", "Marie-Ève", "Mélanie", "Geneviève", "Annie", "Josée"},
	1990: {"Camille", "Audrey", "Laurence", "Catherine", "Marie-Pier", "Émilie", "Véronique", "Ariane", "Sarah-Maude", "Andréanne"},
	2010: {"Emma", "Olivia", "Alice", "Charlotte", "Florence", "Zoé", "Léa", "Rosalie", "Béatrice", "Livia"},
}

// era maps a birth year to the key of the given-name tables.
func era(year int) int {
	switch {
	case year < 1945:
		return 1920
	case year < 1965:
		return 1950
	case year < 1985:
		return 1970
	case year < 2005:
		return 1990
	}
	return 2010
}

var origins = []origin{
	{code: "qc", surnames: frenchCanadianSurnames, languages: []string{"fr-CA", "en-CA"}, langWeights: []float64{97, 3}},
	{code: "ht", surnames: []string{"Jean-Baptiste", "Pierre", "Joseph", "Charles", "Louis", "Étienne", "Dorvil", "Augustin", "Bien-Aimé", "Saint-Fleur", "Désir", "Jean-Louis", "Célestin", "Exantus", "Toussaint"},
		male:      []string{"Jean-Robert", "Ricardo", "Stevenson", "Fritznel", "Jean-Marc", "Wilson", "Kervens", "Frantz", "Jean-Claude", "Peterson"},
		female:    []string{"Marie-Carmelle", "Widlyne", "Guerline", "Nadège", "Roseline", "Nahomie", "Esther", "Daphnée", "Marie-Lourdes", "Fabienne"},
		languages: []string{"fr-CA", "ht", "en-CA"}, langWeights: []float64{80, 17, 3}},
	{code: "lb", surnames: []string{"Khoury", "Haddad", "Nassar", "Saad", "Abboud", "Karam", "Hanna", "Farès", "Salameh", "Daher"},
		male:      []string{"Georges", "Élie", "Rami", "Nadim", "Joseph", "Charbel", "Fadi", "Karim"},
		female:    []string{"Rita", "Nada", "Rania", "Maya", "Carla", "Mireille", "Nayla", "Joëlle"},
		languages: []string{"fr-CA", "ar", "en-CA"}, langWeights: []float64{70, 15, 15}},
	{code: "mg", surnames: []string{"Benali", "Bouzid", "Belkacem", "Haddadi", "Cherif", "Amrani", "Benmoussa", "El Idrissi", "Mansouri", "Saïdi", "Boukhari", "Larbi"},
		male:      []string{"Mohamed", "Karim", "Yacine", "Amine", "Sofiane", "Rachid", "Youssef", "Mehdi", "Nassim"},
		female:    []string{"Fatima", "Amina", "Nadia", "Samira", "Yasmine", "Leïla", "Salma", "Imane", "Kenza"},
		languages: []string{"fr-CA", "ar"}, langWeights: []float64{88, 12}},
	{code: "vn", surnames: []string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang"},
		male:      []string{"Minh", "Thanh", "Tuan", "Duc", "Hung", "Quang", "Kevin"},
		female:    []string{"Linh", "Thi Mai", "Lan", "Huong", "Ngoc", "Thuy", "Anh"},
		languages: []string{"fr-CA", "vi", "en-CA"}, langWeights: []float64{60, 30, 10}},
	{code: "cn", surnames: []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Lin", "Wong", "Chan"},
		male:      []string{"Wei", "Jun", "Hao", "Ming", "Jian", "Kevin", "Eric"},
		female:    []string{"Mei", "Xin", "Ying", "Jing", "Li Na", "Xiaoling", "Grace"},
		languages: []string{"fr-CA", "zh", "en-CA"}, langWeights: []float64{45, 35, 20}},
	{code: "la", surnames: []string{"Rodríguez", "González", "Hernández", "García", "Martínez", "López", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Morales"},
		male:      []string{"José", "Carlos", "Luis", "Juan Carlos", "Diego", "Andrés", "Jorge"},
		female:    []string{"María José", "Ana", "Daniela", "Gabriela", "Valentina", "Sofía", "Carolina"},
		languages: []string{"fr-CA", "es"}, langWeights: []float64{70, 30}, compoundSurname: 0.4},
	{code: "it", surnames: []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "De Luca", "Di Iorio", "Cusano"},
		male:      []string{"Giuseppe", "Antonio", "Giovanni", "Franco", "Tony", "Marco", "Domenico"},
		female:    []string{"Maria", "Anna", "Rosa", "Giulia", "Carmela", "Concetta", "Franca"},
		languages: []string{"fr-CA", "en-CA", "it"}, langWeights: []float64{50, 30, 20}},
	{code: "en", surnames: []string{"Smith", "Johnson", "Brown", "Wilson", "MacDonald", "Campbell", "O'Brien", "Murphy", "Kelly", "Ryan", "Taylor", "Stewart"},
		male:      []string{"John", "Robert", "David", "Michael", "James", "Ryan", "Matthew"},
		female:    []string{"Mary", "Susan", "Jennifer", "Karen", "Elizabeth", "Sarah", "Emily"},
		languages: []string{"en-CA", "fr-CA"}, langWeights: []float64{75, 25}},
}

// originWeights per territory (MCQ is overwhelmingly French-Canadian; NIM is
// one of Montréal's most diverse territories). Approximate shares, in %.
var originWeights = map[string][]float64{
	"mcq": {94, 1, 0.5, 1.5, 0.3, 0.3, 1, 0.4, 1},
	"nim": {46, 13, 8, 11, 4, 4, 6, 5, 3},
}

// givenName picks a first name (sometimes compound for French-Canadians born
// 1960–2000, the Marie-Ève / Jean-François generation).
func givenName(r rng, o origin, female bool, birthYear int) string {
	if o.code != "qc" {
		if female {
			return pick(r, o.female)
		}
		return pick(r, o.male)
	}
	tbl := fcMale
	if female {
		tbl = fcFemale
	}
	return pick(r, tbl[era(birthYear)])
}

// surname picks a surname; French-Canadians born 1980–2005 often got both
// parents' names (Côté-Tremblay).
func surname(r rng, o origin, birthYear int) string {
	s := o.surnames[r.zipf(len(o.surnames))]
	p := o.compoundSurname
	if o.code == "qc" && birthYear >= 1980 && birthYear < 2005 {
		p = 0.2
	}
	if r.chance(p) {
		other := o.surnames[r.zipf(len(o.surnames))]
		if other != s {
			if o.code == "la" {
				return s + " " + other
			}
			return s + "-" + other
		}
	}
	return s
}
