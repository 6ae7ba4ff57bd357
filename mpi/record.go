package mpi

import (
	"strings"

	"dsn/fhir"
)

// Record holds the identity fields of one FHIR Patient that matching uses
// (FHIR R4 patient.html: name, birthDate, gender, identifier, address, telecom).
// Values are kept as entered; normalisation happens in prepare.
type Record struct {
	ID          string       // Patient.id (or any key the caller chooses)
	Family      []string     // every HumanName.family (usual, official, maiden…)
	Given       []string     // the given names of the first name, in order
	OtherGiven  []string     // given names of the other HumanNames
	BirthDate   string       // YYYY-MM-DD ("" if unknown or partial)
	Sex         string       // administrative gender: male, female, other, unknown
	NAM         string       // Québec health number (identifier with NAMSystem)
	Identifiers []Identifier // every other identifier, MRNs included
	Addresses   []Address
	Phones      []string // telecom with system phone, as entered
	// Temporary: an unknown patient or a newborn before its NAM — every
	// name is a placeholder (HumanName.use temp/anonymous, « Inconnu »,
	// « Bébé ») or there is none. Placeholder names are not in Family/Given,
	// and such a record is never linked automatically (rules.go).
	Temporary bool
}

// Identifier is one Patient.identifier other than the NAM.
type Identifier struct {
	System   string
	Value    string
	Type     string // v2-0203 code when present (MR, JHN…)
	Assigner string // assigner.reference or assigner.display: the site of an MRN
	// Jurisdictional: another province's health number (type JHN, or an
	// Infoway ca-XX-patient-hcn / -healthcare-id system): compared like a
	// chart number, the system standing for the site.
	Jurisdictional bool
}

// otherProvinceSystem recognises Infoway's naming systems for the other
// provinces' health numbers (quebec.md §1.1: ca-on-patient-hcn,
// ca-XX-patient-healthcare-id); the NAM's own system is handled apart.
func otherProvinceSystem(sys string) bool {
	const infoway = "https://fhir.infoway-inforoute.ca/NamingSystem/ca-"
	return strings.HasPrefix(sys, infoway) && sys != NAMSystem &&
		(strings.HasSuffix(sys, "-patient-hcn") || strings.HasSuffix(sys, "-patient-healthcare-id"))
}

// Address is the part of Patient.address matching compares.
type Address struct {
	Line       string // lines joined by a space
	City       string
	PostalCode string
}

// FromPatient extracts a Record from a decoded Patient. Missing or malformed
// elements are skipped: matching must work on incomplete registrations.
func FromPatient(p fhir.Object) Record {
	r := Record{ID: fhir.ID(p)}
	r.BirthDate = str(p["birthDate"])
	if len(r.BirthDate) != 10 { // year or year-month only: too vague to compare as a date
		r.BirthDate = ""
	}
	r.Sex = str(p["gender"])
	names, temporary := realNames(p)
	r.Temporary = temporary
	for i, n := range names {
		if f := str(n["family"]); f != "" {
			r.Family = append(r.Family, f)
		}
		given := strs(n["given"])
		if i == 0 || len(r.Given) == 0 {
			if len(r.Given) > 0 {
				r.OtherGiven = append(r.OtherGiven, r.Given...)
			}
			r.Given = given
		} else {
			r.OtherGiven = append(r.OtherGiven, given...)
		}
	}
	for _, id := range objs(p["identifier"]) {
		r.addIdentifier(id)
	}
	for _, a := range objs(p["address"]) {
		r.Addresses = append(r.Addresses, Address{
			Line: strings.Join(strs(a["line"]), " "), City: str(a["city"]), PostalCode: str(a["postalCode"]),
		})
	}
	for _, t := range objs(p["telecom"]) {
		if sys := str(t["system"]); (sys == "phone" || sys == "sms") && str(t["value"]) != "" {
			r.Phones = append(r.Phones, str(t["value"]))
		}
	}
	return r
}

func (r *Record) addIdentifier(id fhir.Object) {
	sys, val := str(id["system"]), str(id["value"])
	if val == "" {
		return
	}
	if sys == NAMSystem && r.NAM == "" {
		r.NAM = val
		return
	}
	x := Identifier{System: sys, Value: val, Jurisdictional: otherProvinceSystem(sys)}
	if t, ok := id["type"].(map[string]any); ok {
		for _, c := range objs(t["coding"]) {
			if code := str(c["code"]); code != "" {
				x.Type = code
				break
			}
		}
		if x.Type == "JHN" {
			x.Jurisdictional = true
		}
	}
	if a, ok := id["assigner"].(map[string]any); ok {
		x.Assigner = str(a["reference"])
		if x.Assigner == "" {
			x.Assigner = str(a["display"])
		}
	}
	r.Identifiers = append(r.Identifiers, x)
}

func str(v any) string { s, _ := v.(string); return strings.TrimSpace(s) }

func strs(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, x := range arr {
		if s := str(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func objs(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, x := range arr {
		if o, ok := x.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}
