package mpi

import (
	"strings"

	"dsn/fhir"
)

// Temporary identities (quebec.md §1.1, "Temporary/unknown identities" and
// "Newborns"): an unconscious trauma patient registered as « Inconnu », a
// newborn registered as « Bébé Tremblay » before the NAM arrives. Their
// names are placeholders, their birth dates often estimates: matching must
// never link them automatically on such data (the MSSS identification
// circular asks for a formal merge workflow). FHIR R4 marks such names with
// HumanName.use = temp or anonymous (datatypes.html#HumanName); registrations
// that only write the placeholder are recognised by it.

// placeholderFamily are family names that say "unknown".
var placeholderFamily = map[string]bool{"INCONNU": true, "INCONNUE": true, "ANONYME": true, "UNKNOWN": true}

// placeholderGiven are first given-name words of a placeholder name: unknown
// adults, and newborns named after their sex or birth rank.
var placeholderGiven = map[string]bool{"INCONNU": true, "INCONNUE": true, "ANONYME": true, "UNKNOWN": true,
	"BEBE": true, "BB": true, "NOUVEAU": true, "NOUVEAUNE": true, "NOUVELLE": true, "FILLE": true, "GARCON": true,
	"JUMEAU": true, "JUMELLE": true, "TRAUMA": true}

// temporaryName: the HumanName is a placeholder, not the person's name.
func temporaryName(n fhir.Object) bool {
	if use := str(n["use"]); use == "temp" || use == "anonymous" {
		return true
	}
	if fam := str(n["family"]); fam != "" && placeholderFamily[strings.Join(NormalizeName(fam).Parts, "")] {
		return true
	}
	given := strs(n["given"])
	if len(given) == 0 {
		return false
	}
	parts := NormalizeName(given[0]).Parts
	return len(parts) > 0 && placeholderGiven[parts[0]]
}

// realNames keeps the Patient's names that are not placeholders and says
// whether the Patient is a temporary identity: it had names and all of them
// were placeholders, or it has none at all (nothing but demographics that
// an emergency registration estimates).
func realNames(p fhir.Object) (names []map[string]any, temporary bool) {
	all := objs(p["name"])
	for _, n := range all {
		if !temporaryName(n) && (str(n["family"]) != "" || len(strs(n["given"])) > 0) {
			names = append(names, n)
		}
	}
	return names, len(names) == 0
}
