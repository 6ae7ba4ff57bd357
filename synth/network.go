package synth

import "fmt"

// staff is a practitioner the patients' resources refer to.
type staff struct {
	id, name, role, specialty, inst string
}

// network holds the generated organisations, sites and staff, and the indexes
// the per-person generator draws from.
type network struct {
	resources []obj
	staff     map[string]map[string][]staff // territory → role → staff
}

// Professional roles (DSN code system) and their regulatory bodies.
var roles = []struct {
	code, display, licenceSystem string
	perPhysician                 float64 // ratio to physicians (approximate, MSSS workforce figures)
}{
	{"medecin", "Médecin", "urn:dsn:permis:cmq", 1},
	{"infirmiere", "Infirmière ou infirmier", "urn:dsn:permis:oiiq", 3.5},
	{"pharmacien", "Pharmacien ou pharmacienne", "urn:dsn:permis:opq", 0.3},
	{"travailleur-social", "Travailleuse ou travailleur social", "urn:dsn:permis:otstcfq", 0.6},
}

var physicianSpecialties = []struct {
	code, display string
	weight        float64
}{
	{"medecine-familiale", "Médecine de famille", 45},
	{"medecine-urgence", "Médecine d'urgence", 12},
	{"medecine-interne", "Médecine interne", 10},
	{"cardiologie", "Cardiologie", 5},
	{"pneumologie", "Pneumologie", 4},
	{"geriatrie", "Gériatrie", 3},
	{"psychiatrie", "Psychiatrie", 7},
	{"chirurgie-generale", "Chirurgie générale", 6},
	{"radiologie", "Radiologie diagnostique", 5},
	{"pediatrie", "Pédiatrie", 3},
}

// buildNetwork makes the two CIUSSS, their installations, wards, ED stretchers
// and staff. Staff counts scale with the population: about one physician per
// 500 inhabitants (the first region has ~1,950 physicians for ~1 million people).
func buildNetwork(o Options) *network {
	n := &network{staff: map[string]map[string][]staff{}}
	for _, t := range []string{"mcq", "nim"} {
		org := ciusss[t]
		n.add(obj{"resourceType": "Organization", "id": org[0], "active": true, "name": org[1],
			"alias":   []any{"CIUSSS " + map[string]string{"mcq": "MCQ", "nim": "NIM"}[t]},
			"type":    []any{cc("http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider")},
			"address": []any{obj{"state": "QC", "country": "CA"}}})
	}
	for _, in := range installations {
		n.addInstallation(in)
	}
	r := newRNG(o.Seed, 1<<62)
	for _, t := range []string{"mcq", "nim"} {
		share := map[string]float64{"mcq": 0.55, "nim": 0.45}[t]
		physicians := max(15, int(float64(o.Patients)*share/500))
		n.staff[t] = map[string][]staff{}
		for _, role := range roles {
			count := max(3, int(float64(physicians)*role.perPhysician))
			for i := 0; i < count; i++ {
				n.addStaff(r, t, role.code, role.display, role.licenceSystem, i)
			}
		}
	}
	return n
}

func (n *network) add(res obj) { n.resources = append(n.resources, res) }

func (n *network) addInstallation(in installation) {
	var types []any
	for _, m := range in.missions {
		types = append(types, coding(SysMission, m, missionNames[m]))
	}
	org := ciusss[in.territory][0]
	n.add(obj{"resourceType": "Location", "id": in.id, "status": "active", "name": in.name, "mode": "instance",
		"type":                 []any{obj{"coding": types}},
		"physicalType":         cc("http://terminology.hl7.org/CodeSystem/location-physical-type", "si", "Site"),
		"address":              obj{"city": in.city, "state": "QC", "country": "CA"},
		"managingOrganization": ref("Organization", org)})
	for i, w := range in.wards {
		n.add(obj{"resourceType": "Location", "id": fmt.Sprintf("%s-unite-%d", in.id, i+1), "status": "active",
			"name": w + " — " + in.name, "mode": "instance",
			"physicalType":         cc("http://terminology.hl7.org/CodeSystem/location-physical-type", "wa", "Ward"),
			"partOf":               ref("Location", in.id),
			"managingOrganization": ref("Organization", org)})
	}
	if in.stretchers == 0 {
		return
	}
	ed := in.id + "-urgence"
	n.add(obj{"resourceType": "Location", "id": ed, "status": "active", "name": "Urgence — " + in.name, "mode": "instance",
		"physicalType": cc("http://terminology.hl7.org/CodeSystem/location-physical-type", "wa", "Ward"),
		"partOf":       ref("Location", in.id), "managingOrganization": ref("Organization", org)})
	for i := 1; i <= in.stretchers; i++ {
		n.add(obj{"resourceType": "Location", "id": fmt.Sprintf("%s-c%02d", ed, i), "status": "active",
			"name": fmt.Sprintf("Civière %d — urgence %s", i, in.name), "mode": "instance",
			"physicalType": cc("http://terminology.hl7.org/CodeSystem/location-physical-type", "bd", "Bed"),
			"partOf":       ref("Location", ed), "managingOrganization": ref("Organization", org)})
	}
}

// addStaff makes one Practitioner and its PractitionerRole at an installation
// of the territory that fits the role (family physicians at CLSC, emergency
// physicians at a hospital with an ED, social workers at CLSC or CPEJ, …).
func (n *network) addStaff(r rng, territory, role, roleName, licence string, i int) {
	o := origins[r.weighted(originWeights[territory])]
	female := r.chance(map[string]float64{"medecin": 0.5, "infirmiere": 0.88, "pharmacien": 0.68, "travailleur-social": 0.85}[role])
	birth := 1960 + r.IntN(40)
	given, family := givenName(r, o, female, birth), surname(r, o, birth)
	id := fmt.Sprintf("%s-%s-%04d", role, territory, i+1)
	spec, specName := "", ""
	if role == "medecin" {
		w := make([]float64, len(physicianSpecialties))
		for k, s := range physicianSpecialties {
			w[k] = s.weight
		}
		s := physicianSpecialties[r.weighted(w)]
		if i < len(physicianSpecialties) { // every specialty staffed, however small the population
			s = physicianSpecialties[i]
		}
		spec, specName = s.code, s.display
	}
	inst := staffSite(r, territory, role, spec)
	gender := "male"
	if female {
		gender = "female"
	}
	prac := obj{"resourceType": "Practitioner", "id": id, "active": true,
		"identifier":    []any{obj{"system": licence, "value": fmt.Sprintf("%d%05d", 1+r.IntN(9), r.IntN(100000))}},
		"name":          []any{obj{"use": "official", "family": family, "given": []any{given}, "text": given + " " + family}},
		"gender":        gender,
		"telecom":       []any{obj{"system": "phone", "value": phone(r, territory), "use": "work"}},
		"communication": []any{cc("urn:ietf:bcp:47", "fr-CA", "français (Canada)")}}
	n.add(prac)
	pr := obj{"resourceType": "PractitionerRole", "id": "role-" + id, "active": true,
		"practitioner": refD("Practitioner", id, given+" "+family),
		"organization": ref("Organization", ciusss[territory][0]),
		"location":     []any{ref("Location", inst)},
		"code":         []any{cc(SysRole, role, roleName)}}
	if spec != "" {
		pr["specialty"] = []any{cc("urn:dsn:codesystem:specialite", spec, specName)}
	}
	n.add(pr)
	n.staff[territory][staffKey(role, spec)] = append(n.staff[territory][staffKey(role, spec)],
		staff{id: id, name: given + " " + family, role: role, specialty: spec, inst: inst})
}

func staffKey(role, spec string) string {
	if spec != "" {
		return spec
	}
	return role
}

func staffSite(r rng, territory, role, spec string) string {
	var mission string
	switch {
	case spec == "medecine-familiale":
		mission = "CLSC"
	case role == "travailleur-social":
		mission = pick(r, []string{"CLSC", "CLSC", "CH", "CPEJ"})
	case role == "infirmiere":
		mission = pick(r, []string{"CH", "CH", "CH", "CLSC", "CHSLD"})
	default:
		mission = "CH"
	}
	sites := byMission(territory, mission)
	if len(sites) == 0 {
		sites = byMission(territory, "CLSC")
	}
	return pick(r, sites).id
}

// pickStaff draws a staff member of a role or specialty in a territory.
func (n *network) pickStaff(r rng, territory, key string) staff {
	list := n.staff[territory][key]
	if len(list) == 0 {
		list = n.staff[territory]["medecine-familiale"]
	}
	return pick(r, list)
}
