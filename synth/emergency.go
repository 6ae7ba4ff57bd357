package synth

import (
	"fmt"
	"time"
)

// ctas levels (quebec.md §3.1) with the French names of the ÉTG.
var ctasNames = []string{"", "Réanimation", "Très urgent", "Urgent", "Moins urgent", "Non urgent"}

// complaint is a reason for an ED visit with its CTAS weights (levels 1..5).
type complaint struct {
	text  string
	ctas  []float64
	exam  int    // index into exams, -1 for none
	admit string // ward name fragment preferred on admission
}

var complaints = []complaint{
	{"Douleur thoracique", []float64{2, 45, 45, 8, 0}, 0, "Cardiologie"},
	{"Dyspnée", []float64{4, 35, 45, 15, 1}, 0, "Médecine"},
	{"Douleur abdominale", []float64{0, 10, 50, 35, 5}, 2, "Chirurgie"},
	{"Chute", []float64{1, 10, 39, 40, 10}, 1, "Gériatrie"},
	{"Fièvre", []float64{0, 8, 40, 40, 12}, 0, "Médecine"},
	{"Lacération", []float64{0, 2, 18, 55, 25}, -1, ""},
	{"Céphalée", []float64{0, 12, 43, 35, 10}, 1, "Médecine"},
	{"Entorse de la cheville", []float64{0, 0, 10, 55, 35}, 3, ""},
	{"Idées suicidaires", []float64{1, 40, 50, 9, 0}, -1, "Psychiatrie"},
	{"Symptômes urinaires", []float64{0, 2, 30, 50, 18}, -1, "Médecine"},
}

// doorToDoctor draws the minutes from triage to physician by CTAS level: the
// targets are immediate/15/30/60/120 min but real waits are often longer.
func doorToDoctor(r rng, level int) time.Duration {
	lo, hi := []float64{0, 0, 5, 20, 30, 30}[level], []float64{0, 5, 60, 240, 360, 480}[level]
	return time.Duration(r.between(lo, hi)) * time.Minute
}

// edVisit emits one emergency visit: arrival, triage (ÉTG/CTAS in
// Encounter.priority), physician, departure; stretcher or ambulatory; labs,
// imaging, sometimes repeated days later; an ED note; maybe an admission.
func (b *builder) edVisit() {
	r, p := b.r, b.p
	hosp := installationByID(p.area.near)
	if r.chance(0.12) { // people also go to another ED of their territory
		eds := []installation{}
		for _, in := range byMission(p.territory, "CH") {
			if in.stretchers > 0 {
				eds = append(eds, in)
			}
		}
		hosp = pick(r, eds)
	}
	c := pick(r, complaints)
	level := 1 + r.weighted(c.ctas)
	stretcher := level <= 2 || (level == 3 && r.chance(0.7)) || p.age >= 75 && r.chance(0.6)
	arrival := b.when()
	triage := arrival.Add(time.Duration(2+r.IntN(25)) * time.Minute)
	doctor := triage.Add(doorToDoctor(r, level))
	stay := time.Duration(r.between(60, 300)) * time.Minute
	if stretcher {
		stay = time.Duration(r.between(240, 1800)) * time.Minute
	}
	departure := doctor.Add(stay)
	er := b.g.net.pickStaff(r, hosp.territory, "medecine-urgence")
	mode := cc(SysEDMode, "ambulatoire", "Usager ambulatoire")
	if stretcher {
		mode = cc(SysEDMode, "civiere", "Usager sur civière")
	}
	enc, e := b.encounter("EMER", "emergency", mode, hosp.id, arrival, departure, er)
	e["priority"] = cc(SysCTAS, fmt.Sprint(level), ctasNames[level])
	e["reasonCode"] = []any{obj{"text": c.text}}
	e["statusHistory"] = edHistory(arrival, triage, doctor, departure, b.done(departure))
	loc := hosp.id + "-urgence"
	if stretcher {
		loc = fmt.Sprintf("%s-urgence-c%02d", hosp.id, 1+r.IntN(hosp.stretchers))
	}
	locStatus := "completed"
	if !b.done(departure) {
		locStatus = "active"
	}
	e["location"] = append(e["location"].([]any), obj{"location": ref("Location", loc), "status": locStatus})
	b.vitalSigns(enc, hosp.id, triage)
	if stretcher || r.chance(0.3) {
		b.labOrder(enc, hosp.id, doctor.Add(10*time.Minute), panelCBC, er)
		b.labOrder(enc, hosp.id, doctor.Add(10*time.Minute), panelLytes, er)
		if c.text == "Fièvre" || c.text == "Douleur abdominale" {
			b.labOrder(enc, hosp.id, doctor.Add(10*time.Minute), panelCRP, er)
		}
		if c.text == "Dyspnée" && p.has("hf") {
			b.labOrder(enc, hosp.id, doctor.Add(10*time.Minute), panelBNP, er)
		}
	}
	if c.exam >= 0 && r.chance(0.6) {
		b.imaging(enc, hosp.id, doctor.Add(20*time.Minute), exams[c.exam], er)
	}
	b.note(enc, hosp.id, departure, "34111-5", "Note de l'urgence", er, edNote(p, c.text, level, stretcher))
	if r.chance([]float64{0, 0.7, 0.4, 0.15, 0.03, 0}[level]) && b.done(departure) {
		b.admission(hosp, departure, c)
	}
	if b.done(departure) && r.chance(0.12) { // duplicate exams are real (quebec.md §7)
		b.repeatWithinDays(hosp, departure, c)
	}
}

func edHistory(arrival, triage, doctor, departure time.Time, done bool) []any {
	end := obj{"start": quebecTime(doctor)}
	if done {
		end["end"] = quebecTime(departure)
	}
	return []any{
		obj{"status": "arrived", "period": obj{"start": quebecTime(arrival), "end": quebecTime(triage)}},
		obj{"status": "triaged", "period": obj{"start": quebecTime(triage), "end": quebecTime(doctor)}},
		obj{"status": "in-progress", "period": end},
	}
}

// repeatWithinDays re-orders a CBC (and sometimes the same imaging) 1–5 days
// after the ED visit at a family-physician follow-up or another site.
func (b *builder) repeatWithinDays(hosp installation, after time.Time, c complaint) {
	t := after.Add(time.Duration(24+b.r.IntN(96)) * time.Hour)
	inst := b.p.area.clsc
	who := b.g.net.pickStaff(b.r, b.p.territory, "medecine-familiale")
	if b.p.gp != nil {
		who = *b.p.gp
	}
	enc, _ := b.encounter("AMB", "ambulatory", cc(SysSNOMED, "390906007", "Suivi post-urgence"), inst, t, t.Add(30*time.Minute), who)
	b.labOrder(enc, inst, t, panelCBC, who)
	if c.exam >= 0 && b.r.chance(0.5) {
		b.imaging(enc, inst, t.Add(time.Hour), exams[c.exam], who)
	}
}

// admission emits a hospital stay following an ED visit, with in-hospital
// medication administrations and a discharge summary.
func (b *builder) admission(hosp installation, from time.Time, c complaint) {
	r := b.r
	ward := hosp.id + "-unite-1"
	for i, w := range hosp.wards {
		if c.admit != "" && len(w) >= len(c.admit) && w[:len(c.admit)] == c.admit {
			ward = fmt.Sprintf("%s-unite-%d", hosp.id, i+1)
		}
	}
	if len(hosp.wards) == 0 {
		return
	}
	los := time.Duration(1+r.poisson(5)) * 24 * time.Hour
	doc := b.g.net.pickStaff(r, hosp.territory, "medecine-interne")
	end := from.Add(los)
	enc, e := b.encounter("IMP", "inpatient encounter", nil, hosp.id, from, end, doc)
	e["location"] = append(e["location"].([]any), obj{"location": ref("Location", ward)})
	hz := obj{"admitSource": cc("http://terminology.hl7.org/CodeSystem/admit-source", "emd", "From accident/emergency department")}
	if b.done(end) {
		hz["dischargeDisposition"] = cc("http://terminology.hl7.org/CodeSystem/discharge-disposition", "home", "Home")
	}
	e["hospitalization"] = hz
	e["reasonCode"] = []any{obj{"text": c.text}}
	nurse := b.g.net.pickStaff(r, hosp.territory, "infirmiere")
	for _, key := range []string{"enoxaparine", "acetaminophene", "pantoprazole"} {
		if r.chance(0.5) {
			continue
		}
		req := b.medRequest(key, from.Add(2*time.Hour), doc, hosp.id, enc, true)
		for d := 0; d < 3 && b.done(from.Add(time.Duration(d+1)*24*time.Hour)); d++ {
			b.medAdmin(key, from.Add(time.Duration(d*24+9)*time.Hour), req, enc, hosp.id, nurse)
		}
	}
	b.labOrder(enc, hosp.id, from.Add(20*time.Hour), panelCBC, doc)
	if b.done(end) {
		b.note(enc, hosp.id, end, "18842-5", "Résumé de départ", doc, dischargeNote(b.p, c.text, los))
	}
}
