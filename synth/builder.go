package synth

import (
	"encoding/base64"
	"fmt"
	"time"
)

// builder accumulates the resources of one person.
type builder struct {
	g          *Generator
	r          rng
	p          *person
	out        []obj
	n          int
	primary    string            // id of the main Patient record
	patientAt  map[string]string // installation id → Patient record registered there (duplicates)
	windowFrom time.Time         // start of the clinical history
}

func (b *builder) id(prefix string) string {
	b.n++
	return fmt.Sprintf("%s-%07d-%d", prefix, b.p.idx+1, b.n)
}

func (b *builder) emit(o obj) { b.out = append(b.out, o) }

// subject is the Patient record a site's resources point at: the duplicate
// registered at that installation if any (that is how duplicates fragment a
// record in real life), else the main record.
func (b *builder) subject(inst string) obj {
	if id, ok := b.patientAt[inst]; ok {
		return ref("Patient", id)
	}
	return ref("Patient", b.primary)
}

// when draws a moment in the history window, during the day (07:00–23:00 local).
func (b *builder) when() time.Time {
	span := b.g.opt.RefDate.Sub(b.windowFrom)
	if b.p.birth.After(b.windowFrom) {
		span = b.g.opt.RefDate.Sub(b.p.birth)
		d := time.Duration(b.r.Int64N(int64(span/time.Hour)+1)) * time.Hour
		return b.p.birth.Add(d).Truncate(24 * time.Hour).Add(time.Duration(11+b.r.IntN(16)) * time.Hour)
	}
	d := time.Duration(b.r.Int64N(int64(span/time.Hour))) * time.Hour
	return b.windowFrom.Add(d).Truncate(24 * time.Hour).Add(time.Duration(11+b.r.IntN(16))*time.Hour + time.Duration(b.r.IntN(60))*time.Minute)
}

func (b *builder) done(t time.Time) bool { return t.Before(b.g.opt.RefDate) }

// encounter emits an Encounter; it stays in-progress when it ends after the
// reference date (the people on the boards today).
func (b *builder) encounter(class, classDisplay string, typ obj, inst string, start, end time.Time, who staff) (string, obj) {
	id := b.id("enc")
	in := installationByID(inst)
	e := obj{"resourceType": "Encounter", "id": id, "status": "finished",
		"class":           coding(SysActCode, class, classDisplay),
		"subject":         b.subject(inst),
		"participant":     []any{obj{"individual": refD("Practitioner", who.id, who.name)}},
		"serviceProvider": ref("Organization", ciusss[in.territory][0]),
		"location":        []any{obj{"location": refD("Location", inst, in.name)}}}
	if typ != nil {
		e["type"] = []any{typ}
	}
	period := obj{"start": quebecTime(start)}
	if b.done(end) {
		period["end"] = quebecTime(end)
	} else {
		e["status"] = "in-progress"
	}
	e["period"] = period
	b.emit(e)
	return id, e
}

// vitalSigns emits blood pressure and the other vital signs at t.
func (b *builder) vitalSigns(enc, inst string, t time.Time) {
	cat := []any{cc(SysObsCat, "vital-signs", "Vital Signs")}
	sys, dia := bloodPressure(b.r, b.p)
	b.emit(obj{"resourceType": "Observation", "id": b.id("obs"), "status": "final", "category": cat,
		"code":    cc(SysLOINC, "85354-9", "Tension artérielle"),
		"subject": b.subject(inst), "encounter": ref("Encounter", enc), "effectiveDateTime": quebecTime(t),
		"component": []any{
			obj{"code": cc(SysLOINC, "8480-6", "Tension artérielle systolique"), "valueQuantity": qty(sys, 0, "mm[Hg]")},
			obj{"code": cc(SysLOINC, "8462-4", "Tension artérielle diastolique"), "valueQuantity": qty(dia, 0, "mm[Hg]")},
		}})
	for _, v := range vitals {
		b.emit(obj{"resourceType": "Observation", "id": b.id("obs"), "status": "final", "category": cat,
			"code": cc(SysLOINC, v.loinc, v.display), "subject": b.subject(inst), "encounter": ref("Encounter", enc),
			"effectiveDateTime": quebecTime(t), "valueQuantity": qty(v.value(b.r, b.p), v.decimals, v.unit)})
	}
}

// labOrder emits a ServiceRequest, its results (Observations) and the
// DiagnosticReport that groups them.
func (b *builder) labOrder(enc, inst string, t time.Time, pn panel, who staff) {
	sr := b.id("sr")
	b.emit(obj{"resourceType": "ServiceRequest", "id": sr, "status": "completed", "intent": "order",
		"category": []any{cc(SysSNOMED, "108252007", "Laboratory procedure")},
		"code":     cc(SysLOINC, pn.code, pn.display), "subject": b.subject(inst),
		"encounter": ref("Encounter", enc), "authoredOn": quebecTime(t),
		"requester": refD("Practitioner", who.id, who.name)})
	res := t.Add(time.Duration(60+b.r.IntN(240)) * time.Minute)
	var results []any
	for _, a := range pn.analytes {
		id := b.id("obs")
		results = append(results, ref("Observation", id))
		b.emit(obj{"resourceType": "Observation", "id": id, "status": "final",
			"category": []any{cc(SysObsCat, "laboratory", "Laboratory")},
			"code":     cc(SysLOINC, a.loinc, a.display), "subject": b.subject(inst), "encounter": ref("Encounter", enc),
			"basedOn": []any{ref("ServiceRequest", sr)}, "effectiveDateTime": quebecTime(t), "issued": instant(res),
			"valueQuantity": qty(b.labValue(a, t), a.decimals, a.unit)})
	}
	b.emit(obj{"resourceType": "DiagnosticReport", "id": b.id("dr"), "status": "final",
		"category": []any{cc("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")},
		"code":     cc(SysLOINC, pn.code, pn.display), "subject": b.subject(inst), "encounter": ref("Encounter", enc),
		"basedOn": []any{ref("ServiceRequest", sr)}, "effectiveDateTime": quebecTime(t), "issued": instant(res),
		"result": results})
}

// exam is an imaging exam (DSN-local codes: the Québec imaging nomenclature is
// not open; see README.md).
type exam struct{ code, display, normal, abnormal string }

var exams = []exam{
	{"RX-POUMONS", "Radiographie pulmonaire", "Pas de condensation ni d'épanchement. Silhouette cardiaque normale.", "Condensation lobaire inférieure droite compatible avec une pneumonie."},
	{"TDM-TETE", "Tomodensitométrie cérébrale sans contraste", "Pas d'hémorragie ni d'effet de masse.", "Atrophie cortico-sous-corticale et leucoaraïose, sans saignement aigu."},
	{"ECHO-ABDO", "Échographie abdominale", "Foie, vésicule et reins sans particularité.", "Lithiase vésiculaire sans signe de cholécystite."},
	{"RX-CHEVILLE", "Radiographie de la cheville", "Pas de fracture.", "Fracture non déplacée de la malléole externe."},
	{"TDM-THORAX", "Tomodensitométrie thoracique", "Parenchyme pulmonaire sans lésion suspecte.", "Emphysème centrolobulaire; nodule de 6 mm au lobe supérieur gauche à surveiller."},
}

func (b *builder) imaging(enc, inst string, t time.Time, ex exam, who staff) {
	sr := b.id("sr")
	b.emit(obj{"resourceType": "ServiceRequest", "id": sr, "status": "completed", "intent": "order",
		"category": []any{cc(SysSNOMED, "363679005", "Imaging")},
		"code":     cc(SysImaging, ex.code, ex.display), "subject": b.subject(inst),
		"encounter": ref("Encounter", enc), "authoredOn": quebecTime(t),
		"requester": refD("Practitioner", who.id, who.name)})
	concl := ex.normal
	if b.r.chance(0.3) {
		concl = ex.abnormal
	}
	rad := b.g.net.pickStaff(b.r, installationByID(inst).territory, "radiologie")
	b.emit(obj{"resourceType": "DiagnosticReport", "id": b.id("dr"), "status": "final",
		"category": []any{cc("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology")},
		"code":     cc(SysImaging, ex.code, ex.display), "subject": b.subject(inst), "encounter": ref("Encounter", enc),
		"basedOn": []any{ref("ServiceRequest", sr)}, "effectiveDateTime": quebecTime(t.Add(40 * time.Minute)),
		"issued":             instant(t.Add(3 * time.Hour)),
		"resultsInterpreter": []any{refD("Practitioner", rad.id, rad.name)}, "conclusion": concl})
}

// note emits a short French clinical note as a DocumentReference (text/plain, base64).
func (b *builder) note(enc, inst string, t time.Time, loinc, display string, who staff, text string) {
	b.emit(obj{"resourceType": "DocumentReference", "id": b.id("doc"), "status": "current",
		"type": cc(SysLOINC, loinc, display), "subject": b.subject(inst), "date": instant(t),
		"author": []any{refD("Practitioner", who.id, who.name)},
		"content": []any{obj{"attachment": obj{"contentType": "text/plain; charset=utf-8", "language": "fr-CA",
			"data": base64.StdEncoding.EncodeToString([]byte(text)), "title": display}}},
		"context": obj{"encounter": []any{ref("Encounter", enc)}}})
}

// instant renders an instant (FHIR instant requires seconds and a zone).
func instant(t time.Time) string { return quebecTime(t) }
