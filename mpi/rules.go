package mpi

import "dsn/internal/language/words"

// The protective rules, as an archivist reads them (Result.Rules).
var (
	ruleTemporary = words.Text{
		FR: "identité temporaire (patient inconnu, nouveau-né sans NAM): jamais de lien automatique sur un nom provisoire ou une date estimée",
		EN: "temporary identity (unknown patient, newborn without a NAM): never an automatic link on a provisional name or an estimated date"}
	ruleTwoNAMs = words.Text{
		FR: "deux NAM valides et différents: la RAMQ les a attribués à deux personnes",
		EN: "two valid, different NAMs: RAMQ gave them to two people"}
	ruleTwins = words.Text{
		FR: "même nom de famille et même date de naissance mais prénoms différents: jumeaux possibles",
		EN: "same family name and same birth date but different given names: possibly twins"}
	ruleParent = words.Text{
		FR: "même nom mais dates de naissance éloignées d'au moins 12 ans: parent et enfant possibles",
		EN: "same name but birth dates at least 12 years apart: possibly parent and child"}
	ruleDates = words.Text{
		FR: "dates de naissance incompatibles sans NAM identique pour les départager",
		EN: "incompatible birth dates and no identical NAM to settle it"}
	ruleDifferentiator = words.Text{
		FR: "le NAM présent d'un seul côté porte un caractère différenciateur autre que 1: la RAMQ connaît un homonyme de même date de naissance (jumeau possible)",
		EN: "the NAM on one side only has a differentiator other than 1: RAMQ knows a namesake born the same day (possibly a twin)"}
	ruleGeneration = words.Text{
		FR: "l'un porte « fils/Jr », l'autre « père/Sr »",
		EN: "one bears « fils/Jr », the other « père/Sr »"}
)

// protect returns the rules that forbid an automatic link between a and b,
// whatever the score: the cases where joining two different people is likely
// and costly (the issue: twins, parent and child, two health numbers). Such a
// pair can still reach the review queue, where a person decides.
func protect(a, b *prepared, l Levels) []words.Text {
	var rules []words.Text
	if a.temp || b.temp {
		rules = append(rules, ruleTemporary)
	}
	if l[FieldNAM] == 4 && a.namOK && b.namOK {
		rules = append(rules, ruleTwoNAMs)
	}
	sameFamily := l[FieldFamily] != 3 && l[FieldFamily] != Missing // typos included
	// A given name one typo away (Mathieu/Mathiue) is
	// more often a clerk's error than a twin, unless the sexes differ
	// (Louis/Louise); merely similar names (Louise/Lise, Marie-Ève/Marie) are twins' names.
	typo := oneEdit(a.s(a.given), b.s(b.given))
	otherGiven := l[FieldGiven] == 4 || l[FieldGiven] == 3 ||
		(l[FieldGiven] == 2 && (l[FieldSex] != 0 || !typo))
	if sameFamily && l[FieldBirthDate] <= 2 && l[FieldBirthDate] != Missing && otherGiven {
		rules = append(rules, ruleTwins)
	}
	if sameFamily && l[FieldGiven] != 4 && decadesApart(a.dob, b.dob) {
		rules = append(rules, ruleParent)
	}
	if l[FieldBirthDate] == 4 && l[FieldNAM] != 0 {
		rules = append(rules, ruleDates)
	}
	if l[FieldNAM] == 2 && (a.namDif > '1' || b.namDif > '1') {
		rules = append(rules, ruleDifferentiator)
	}
	if ag, bg := a.s(a.gen), b.s(b.gen); ag != "" && bg != "" && ag != bg {
		rules = append(rules, ruleGeneration)
	}
	return rules
}

// decadesApart: both dates known and the years differ by 12 or more, beyond
// what a one-digit typo on the decade (exactly 10) explains.
func decadesApart(x, y int32) bool {
	if x == 0 || y == 0 {
		return false
	}
	d := abs32(x/10000 - y/10000)
	return d >= 12
}
