package mpi

// DefaultConfig is the configured model used until EM estimates one from the
// data (Index.Estimate). m values are what a registration clerk's errors look
// like (a few percent of typos, swapped day/month, people who move); u values
// are the chance two different Québec residents agree that way by chance
// (a given birth date ≈ 1/30,000; a common surname ≈ 1/200).
// Levels are listed in the order the comparators in fields.go return them.
func DefaultConfig() *Config {
	return &Config{
		Certain:         26,
		Probable:        10,
		FrequencyAdjust: true,
		Fields: []FieldConfig{
			field("family", "nom de famille",
				lv("exact", "identique", 0.88, 0.004),
				lv("part", "une partie d'un nom composé en commun", 0.05, 0.001),
				lv("similar", "orthographe voisine ou même son", 0.05, 0.01),
				lv("different", "différent", 0.02, 0.985)),
			field("given", "prénom",
				lv("exact", "identique", 0.85, 0.008),
				lv("equivalent", "équivalent (diminutif, prénom composé coupé, autre prénom)", 0.07, 0.004),
				lv("similar", "orthographe voisine ou même son", 0.04, 0.01),
				lv("initial", "initiale seulement, concordante", 0.01, 0.04),
				lv("different", "différent", 0.03, 0.938)),
			field("birthDate", "date de naissance",
				lv("exact", "identique", 0.92, 0.00004),
				lv("swap", "jour et mois inversés", 0.02, 0.00003),
				lv("typo", "un chiffre erroné ou deux chiffres inversés", 0.04, 0.0004),
				lv("year", "année décalée de 1 ou 10 ans", 0.01, 0.0008),
				lv("different", "différente", 0.01, 0.99916)),
			field("sex", "sexe administratif",
				lv("same", "identique", 0.98, 0.5),
				lv("different", "différent", 0.02, 0.5)),
			field("nam", "numéro d'assurance maladie (NAM)",
				lv("exact", "identique", 0.97, 0.000001),
				lv("typo", "une faute de frappe (NAM invalide d'un côté)", 0.02, 0.00001),
				lv("consistent", "présent d'un seul côté, cohérent avec le nom et la date de l'autre", 0.9, 0.3),
				lv("inconsistent", "présent d'un seul côté, incohérent avec l'autre", 0.1, 0.7),
				lv("different", "différent", 0.01, 0.99999)),
			field("address", "adresse",
				lv("same", "même code postal et même numéro civique", 0.6, 0.0005),
				lv("postal", "même code postal", 0.08, 0.002),
				lv("area", "même secteur postal (3 premiers caractères) ou même ville", 0.1, 0.05),
				lv("different", "différente (déménagement possible)", 0.22, 0.9475)),
			field("phone", "téléphone",
				lv("same", "un numéro en commun", 0.6, 0.0005),
				lv("different", "aucun numéro en commun", 0.4, 0.9995)),
			field("mrn", "numéro de dossier local ou carte d'une autre province",
				lv("same", "même numéro de dossier du même établissement, ou même carte d'assurance maladie d'une autre province", 0.5, 0.000001),
				lv("different", "aucun numéro de dossier en commun", 0.5, 0.999999)),
		},
	}
}

func field(name, label string, Levels ...LevelConfig) FieldConfig {
	return FieldConfig{Name: name, Label: label, Levels: Levels}
}

func lv(name, label string, m, u float64) LevelConfig {
	return LevelConfig{Name: name, Label: label, M: m, U: u}
}
