package synth

import (
	"fmt"
)

// record is one Patient record of a person at an installation, with the
// clerical noise it was registered with (empty for the main record).
type record struct {
	id, site string
	noise    []string
}

// patientResource renders a Patient record of p, applying the record's noise.
func (b *builder) patientResource(rec record) obj {
	p, r := b.p, b.r
	given, family, birth := p.given, p.family, p.birth
	addr, nam := p.address, p.nam
	for _, n := range rec.noise {
		switch n {
		case "accents":
			given, family = stripAccents(given), stripAccents(family)
		case "typo":
			family = typo(r, family)
		case "compose-coupe":
			given, family = firstPart(given), firstPart(family)
		case "jour-mois":
			birth = swapDayMonth(birth)
		case "sans-nam":
			nam = ""
		case "ancienne-adresse":
			addr = address(r, p.area)
		case "nom-epouse":
			family = frenchCanadianSurnames[r.zipf(len(frenchCanadianSurnames))]
		}
	}
	site := installationByID(rec.site)
	ids := []any{}
	if nam != "" {
		ids = append(ids, obj{"use": "official", "type": cc(SysV2_0203, "JHN", "Jurisdictional health number"),
			"system": "https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id", "value": nam})
	}
	if p.otherID != nil {
		ids = append(ids, p.otherID)
	}
	ids = append(ids, obj{"use": "usual", "type": cc(SysV2_0203, "MR", "Medical record number"),
		"system": "urn:dsn:dossier:" + site.id, "value": mrn(p.idx, rec.site),
		"assigner": refD("Organization", ciusss[site.territory][0], site.name)})
	gender := "male"
	if p.female {
		gender = "female"
	}
	pat := obj{"resourceType": "Patient", "id": rec.id, "active": true, "identifier": ids,
		"name":   []any{obj{"use": "official", "family": family, "given": fields(given), "text": given + " " + family}},
		"gender": gender, "birthDate": day(birth), "address": []any{addr},
		"managingOrganization": ref("Organization", ciusss[site.territory][0]),
		"communication":        []any{obj{"language": cc("urn:ietf:bcp:47", p.language, languageNames[p.language]), "preferred": true}}}
	if p.age >= 14 {
		pat["telecom"] = []any{obj{"system": "phone", "value": p.phone, "use": "home"}}
	}
	if p.parent != "" { // served on a parent's card until the child's own arrives (RAMQ)
		pat["contact"] = []any{obj{"relationship": []any{cc("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")},
			"name": obj{"text": p.parent}, "telecom": []any{obj{"system": "phone", "value": p.phone, "use": "home"}}}}
	}
	if p.gp != nil {
		pat["generalPractitioner"] = []any{refD("Practitioner", p.gp.id, p.gp.name)}
	}
	return pat
}

var languageNames = map[string]string{"fr-CA": "français (Canada)", "en-CA": "anglais (Canada)", "ht": "créole haïtien",
	"ar": "arabe", "vi": "vietnamien", "zh": "chinois", "es": "espagnol", "it": "italien"}

// mrn is a per-site chart number: unique per site for up to 90 million people
// (37 is coprime with 9×10^7), different across sites.
func mrn(idx int, site string) string {
	h := 0
	for _, c := range site {
		h = h*31 + int(c)
	}
	return fmt.Sprintf("%08d", 10000000+(idx*37+h%1000)%90000000)
}
