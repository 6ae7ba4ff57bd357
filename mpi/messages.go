package mpi

import "dsn/internal/language/words"

// The sentences of the NAM's checks (quebec.md §1.1): ParseNAM's refusals
// and NAMWarnings' disagreements with the demographics, by id, in French
// and in English (every id has both, with the same arguments:
// TestMessagesBothLanguages). The edge chooses (fhirapi: Accept-Language,
// French by default).
var messages = map[string]words.Text{
	"nam.check":        {FR: "le chiffre de contrôle du NAM ne correspond pas (faute de frappe ?)", EN: "the NAM's check digit does not match (a typo?)"},
	"nam.date":         {FR: "la date de naissance encodée dans le NAM est impossible", EN: "the birth date encoded in the NAM is impossible"},
	"nam.digits":       {FR: "les caractères 5 à 10 du NAM doivent être des chiffres (AAMMJJ)", EN: "characters 5 to 10 of the NAM must be digits (YYMMDD)"},
	"nam.last":         {FR: "les deux derniers caractères du NAM sont invalides", EN: "the last two characters of the NAM are invalid"},
	"nam.length":       {FR: "le NAM doit compter 12 caractères (4 lettres, 6 chiffres, 1 caractère, 1 chiffre)", EN: "a NAM has 12 characters (4 letters, 6 digits, 1 character, 1 digit)"},
	"nam.letters":      {FR: "les 4 premiers caractères du NAM doivent être des lettres", EN: "the first 4 characters of the NAM must be letters"},
	"nam.warn-birth":   {FR: "NAM %s: la date de naissance encodée (jour %02d, mois %02d, année en %s) diffère de celle du dossier (%s)", EN: "NAM %s: the encoded birth date (day %02d, month %02d, year ending %s) differs from the record's (%s)"},
	"nam.warn-family":  {FR: "NAM %s: les lettres %s ne correspondent à aucun nom de famille du dossier (%s) — le NAM porte le nom à la naissance", EN: "NAM %s: the letters %s match no family name of the record (%s) — the NAM carries the name at birth"},
	"nam.warn-given":   {FR: "NAM %s: la lettre %s ne correspond à l'initiale d'aucun prénom du dossier (%s)", EN: "NAM %s: the letter %s matches the initial of no given name of the record (%s)"},
	"nam.warn-invalid": {FR: "NAM %s: %s (vérifiez la carte d'assurance maladie)", EN: "NAM %s: %s (check the health insurance card)"},
	"nam.warn-sex":     {FR: "NAM %s: le sexe inscrit à la RAMQ (%s) diffère du genre du dossier (%s)", EN: "NAM %s: the sex registered at RAMQ (%s) differs from the record's gender (%s)"},
}
