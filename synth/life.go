package synth

import (
	"time"
)

// life emits the clinical history of a person over the history window.
func (b *builder) life() {
	r, p := b.r, b.p
	b.problems()
	b.allergies()
	b.immunizations()
	if p.gp != nil {
		b.chronicMeds()
		visits := min(r.poisson(0.8+0.7*float64(len(p.conditions))), 6)
		for i := 0; i < visits; i++ {
			b.gpVisit()
		}
	}
	rate := 0.25 + 0.15*float64(len(p.conditions))
	if p.age < 2 || p.age >= 75 {
		rate += 0.3
	}
	for i, n := 0, min(r.poisson(rate*2), 5); i < n; i++ {
		b.edVisit()
	}
	if p.age >= 75 && (len(p.conditions) >= 2 || p.has("hf") || p.has("copd")) && r.chance(0.35) {
		b.homeCare()
	}
	if chsld := (p.age >= 85 && r.chance(0.12)) || (p.age >= 70 && p.has("dementia") && r.chance(0.3)); chsld {
		b.episode("CHSLD", "hebergement", "Hébergement de longue durée", "infirmiere", 5)
	}
	if p.age >= 18 && r.chance(0.02) {
		b.episode("CR", "readaptation", "Réadaptation", "infirmiere", 1)
	}
	if p.age < 18 && p.territory == "mcq" && r.chance(0.015) {
		b.episode("CPEJ", "protection-jeunesse", "Protection de la jeunesse (LPJ)", "travailleur-social", 3)
	}
}

func (b *builder) problems() {
	for _, k := range b.p.conditions {
		c := conditionByKey(k)
		onset := b.p.birth.AddDate(max(b.p.age-1-b.r.IntN(max(b.p.age/3, 1)), 0), b.r.IntN(12), 0)
		if onset.After(b.g.opt.RefDate) {
			onset = b.g.opt.RefDate.AddDate(0, -1, 0)
		}
		b.emit(obj{"resourceType": "Condition", "id": b.id("cond"),
			"clinicalStatus":     cc(SysClinStat, "active", "Active"),
			"verificationStatus": cc(SysVerStat, "confirmed", "Confirmed"),
			"category":           []any{cc(SysCondCat, "problem-list-item", "Problem List Item")},
			"code": obj{"coding": []any{coding(SysSNOMED, c.snomed, ""), coding(SysICD10, c.icd10, "")},
				"text": c.display},
			"subject": ref("Patient", b.primary), "onsetDateTime": day(onset)})
	}
}

func (b *builder) allergies() {
	for _, a := range allergyTable {
		if !b.r.chance(a.share) {
			continue
		}
		b.emit(obj{"resourceType": "AllergyIntolerance", "id": b.id("all"),
			"clinicalStatus":     cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
			"verificationStatus": cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"),
			"type":               "allergy", "category": []any{a.category}, "criticality": "low",
			"code":     cc(SysSNOMED, a.snomed, a.display),
			"patient":  ref("Patient", b.primary),
			"reaction": []any{obj{"manifestation": []any{obj{"text": a.reaction}}}}})
	}
}

func (b *builder) chronicMeds() {
	for _, k := range b.p.conditions {
		for i, m := range conditionByKey(k).meds {
			if i > 0 && b.r.chance(0.5) {
				continue
			}
			b.medRequest(m, b.when(), *b.p.gp, b.p.area.clsc, "", false)
		}
	}
}

// medRequest emits a MedicationRequest (active for chronic drugs, completed
// for in-hospital orders) and returns its id.
func (b *builder) medRequest(key string, t time.Time, who staff, inst, enc string, inpatient bool) string {
	m := medTable[key]
	id := b.id("mr")
	mr := obj{"resourceType": "MedicationRequest", "id": id, "status": "active", "intent": "order",
		"medicationCodeableConcept": cc(SysATC, m.atc, m.display),
		"subject":                   b.subject(inst), "authoredOn": quebecTime(t),
		"requester":         refD("Practitioner", who.id, who.name),
		"dosageInstruction": []any{obj{"text": m.sig}}}
	if inpatient {
		mr["status"] = "completed"
		mr["category"] = []any{cc("http://terminology.hl7.org/CodeSystem/medicationrequest-category", "inpatient", "Inpatient")}
	}
	if enc != "" {
		mr["encounter"] = ref("Encounter", enc)
	}
	b.emit(mr)
	return id
}

func (b *builder) medAdmin(key string, t time.Time, req, enc, inst string, nurse staff) {
	m := medTable[key]
	b.emit(obj{"resourceType": "MedicationAdministration", "id": b.id("ma"), "status": "completed",
		"medicationCodeableConcept": cc(SysATC, m.atc, m.display),
		"subject":                   b.subject(inst), "context": ref("Encounter", enc),
		"effectiveDateTime": quebecTime(t), "request": ref("MedicationRequest", req),
		"performer": []any{obj{"actor": refD("Practitioner", nurse.id, nurse.name)}},
		"dosage":    obj{"text": m.sig, "dose": qty(m.dose, 0, m.unit)}})
}

// gpVisit is a follow-up with the family physician at the CLSC/GMF, with vital
// signs, the follow-up labs of the person's conditions and a note.
func (b *builder) gpVisit() {
	t := b.when()
	gp, inst := *b.p.gp, b.p.area.clsc
	enc, _ := b.encounter("AMB", "ambulatory", cc(SysSNOMED, "185389009", "Visite de suivi"), inst, t, t.Add(20*time.Minute), gp)
	if b.p.age >= 3 {
		b.vitalSigns(enc, inst, t)
	}
	for _, pn := range followUpPanels(b.p) {
		if b.r.chance(0.7) {
			b.labOrder(enc, inst, t.Add(15*time.Minute), pn, gp)
		}
	}
	if b.r.chance(0.5) {
		b.note(enc, inst, t.Add(20*time.Minute), "11506-3", "Note d'évolution", gp, visitNote(b.p))
	}
}

// homeCare is a CLSC home-care (SAD) follow-up: a series of nurse visits.
func (b *builder) homeCare() {
	inst := b.p.area.clsc
	nurse := b.g.net.pickStaff(b.r, b.p.territory, "infirmiere")
	t := b.when()
	for i, n := 0, 3+b.r.IntN(6); i < n && b.done(t); i++ {
		enc, _ := b.encounter("HH", "home health", cc(SysSNOMED, "385763009", "Soutien à domicile"), inst, t, t.Add(45*time.Minute), nurse)
		b.vitalSigns(enc, inst, t)
		b.note(enc, inst, t.Add(45*time.Minute), "34746-8", "Note infirmière", nurse, homeCareNote(b.p))
		t = t.Add(time.Duration(7+b.r.IntN(14)) * 24 * time.Hour)
	}
}

// episode opens an EpisodeOfCare at an installation of the mission (CHSLD
// residency, rehabilitation, youth protection) with a few encounters.
func (b *builder) episode(mission, code, display, role string, visits int) {
	sites := byMission(b.p.territory, mission)
	if len(sites) == 0 {
		return
	}
	in := pick(b.r, sites)
	who := b.g.net.pickStaff(b.r, b.p.territory, role)
	start := b.when()
	ep := obj{"resourceType": "EpisodeOfCare", "id": b.id("ep"), "status": "active",
		"type":                 []any{cc("urn:dsn:codesystem:type-episode", code, display)},
		"patient":              b.subject(in.id),
		"managingOrganization": ref("Organization", ciusss[in.territory][0]),
		"period":               obj{"start": quebecTime(start)},
		"careManager":          refD("Practitioner", who.id, who.name)}
	if mission == "CPEJ" { // youth-protection files are restricted (Youth Protection Act)
		ep["meta"] = obj{"security": []any{coding("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R", "restricted")}}
	}
	if mission == "CR" && b.r.chance(0.6) {
		end := start.Add(time.Duration(30+b.r.IntN(90)) * 24 * time.Hour)
		if b.done(end) {
			ep["status"] = "finished"
			ep["period"].(obj)["end"] = quebecTime(end)
		}
	}
	b.emit(ep)
	class := map[string]string{"CHSLD": "NONAC", "CR": "AMB", "CPEJ": "AMB"}[mission]
	t := start
	for i := 0; i < visits && b.done(t); i++ {
		_, e := b.encounter(class, "", cc("urn:dsn:codesystem:type-episode", code, display), in.id, t, t.Add(time.Hour), who)
		e["episodeOfCare"] = []any{ref("EpisodeOfCare", ep["id"].(string))}
		if mission == "CPEJ" {
			e["meta"] = ep["meta"]
		}
		t = t.Add(time.Duration(14+b.r.IntN(30)) * 24 * time.Hour)
	}
}
