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
			field("family", "nom de famille", "family name",
				lv("exact", "identique", "identical", 0.88, 0.004),
				lv("part", "une partie d'un nom composé en commun", "one part of a compound name in common", 0.05, 0.001),
				lv("similar", "orthographe voisine ou même son", "similar spelling or same sound", 0.05, 0.01),
				lv("different", "différent", "different", 0.02, 0.985)),
			field("given", "prénom", "given name",
				lv("exact", "identique", "identical", 0.85, 0.008),
				lv("equivalent", "équivalent (diminutif, prénom composé coupé, autre prénom)", "equivalent (nickname, cut compound name, other given name)", 0.07, 0.004),
				lv("similar", "orthographe voisine ou même son", "similar spelling or same sound", 0.04, 0.01),
				lv("initial", "initiale seulement, concordante", "initial only, agreeing", 0.01, 0.04),
				lv("different", "différent", "different", 0.03, 0.938)),
			field("birthDate", "date de naissance", "birth date",
				lv("exact", "identique", "identical", 0.92, 0.00004),
				lv("swap", "jour et mois inversés", "day and month swapped", 0.02, 0.00003),
				lv("typo", "un chiffre erroné ou deux chiffres inversés", "one wrong digit or two digits swapped", 0.04, 0.0004),
				lv("year", "année décalée de 1 ou 10 ans", "year off by 1 or 10", 0.01, 0.0008),
				lv("different", "différente", "different", 0.01, 0.99916)),
			field("sex", "sexe administratif", "administrative sex",
				lv("same", "identique", "identical", 0.98, 0.5),
				lv("different", "différent", "different", 0.02, 0.5)),
			field("nam", "numéro d'assurance maladie (NAM)", "health insurance number (NAM)",
				lv("exact", "identique", "identical", 0.97, 0.000001),
				lv("typo", "une faute de frappe (NAM invalide d'un côté)", "one typo (NAM invalid on one side)", 0.02, 0.00001),
				lv("consistent", "présent d'un seul côté, cohérent avec le nom et la date de l'autre", "on one side only, consistent with the other's name and birth date", 0.9, 0.3),
				lv("inconsistent", "présent d'un seul côté, incohérent avec l'autre", "on one side only, inconsistent with the other", 0.1, 0.7),
				lv("different", "différent", "different", 0.01, 0.99999)),
			field("address", "adresse", "address",
				lv("same", "même code postal et même numéro civique", "same postal code and civic number", 0.6, 0.0005),
				lv("postal", "même code postal", "same postal code", 0.08, 0.002),
				lv("area", "même secteur postal (3 premiers caractères) ou même ville", "same postal area (first 3 characters) or same city", 0.1, 0.05),
				lv("different", "différente (déménagement possible)", "different (may have moved)", 0.22, 0.9475)),
			field("phone", "téléphone", "phone",
				lv("same", "un numéro en commun", "a number in common", 0.6, 0.0005),
				lv("different", "aucun numéro en commun", "no number in common", 0.4, 0.9995)),
			field("mrn", "numéro de dossier local ou carte d'une autre province", "local chart number or another province's card",
				lv("same", "même numéro de dossier du même établissement, ou même carte d'assurance maladie d'une autre province", "same chart number of the same establishment, or same health card of another province", 0.5, 0.000001),
				lv("different", "aucun numéro de dossier en commun", "no chart number in common", 0.5, 0.999999)),
		},
	}
}

func field(name, fr, en string, Levels ...LevelConfig) FieldConfig {
	return FieldConfig{Name: name, Label: fr, LabelEN: en, Levels: Levels}
}

func lv(name, fr, en string, m, u float64) LevelConfig {
	return LevelConfig{Name: name, Label: fr, LabelEN: en, M: m, U: u}
}
