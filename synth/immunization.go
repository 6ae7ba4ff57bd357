package synth

import "time"

// dose is one entry of the Québec immunization schedule (Protocole
// d'immunisation du Québec, simplified; CVX codes approximate the products).
type dose struct {
	months       int // age at the dose
	cvx, display string
}

var childSchedule = []dose{
	{2, "146", "DCaT-HB-VPI-Hib"}, {2, "133", "Pneumocoque conjugué"}, {2, "119", "Rotavirus"},
	{4, "146", "DCaT-HB-VPI-Hib"}, {4, "133", "Pneumocoque conjugué"}, {4, "119", "Rotavirus"},
	{12, "94", "RRO-Var"}, {12, "133", "Pneumocoque conjugué"}, {12, "103", "Méningocoque C conjugué"},
	{18, "146", "DCaT-HB-VPI-Hib"}, {18, "94", "RRO-Var"},
	{48, "130", "dcaT-VPI"},
	{112, "165", "VPH (4e année du primaire)"},
	{170, "115", "dcaT (3e secondaire)"},
}

// registryStart: doses before the Québec vaccination registry are not in the record.
var registryStart = time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)

func (b *builder) immunizations() {
	p := b.p
	for _, d := range childSchedule {
		t := p.birth.AddDate(0, d.months, b.r.IntN(20))
		if t.Before(registryStart) || !b.done(t) {
			continue
		}
		b.vaccine(t, d.cvx, d.display)
	}
	if p.age >= 60 || (len(p.conditions) > 0 && p.age >= 18) { // influenza: last two seasons
		for y := b.g.opt.RefDate.Year() - 2; y < b.g.opt.RefDate.Year(); y++ {
			if b.r.chance(0.6) {
				b.vaccine(time.Date(y, time.November, 1+b.r.IntN(28), 14, 0, 0, 0, time.UTC), "150", "Influenza quadrivalent")
			}
		}
	}
	if p.age >= 66 && b.r.chance(0.5) {
		b.vaccine(p.birth.AddDate(65, 1, 0), "33", "Pneumocoque polysaccharidique")
	}
}

func (b *builder) vaccine(t time.Time, cvx, display string) {
	if t.Before(registryStart) {
		return
	}
	inst := b.p.area.clsc
	b.emit(obj{"resourceType": "Immunization", "id": b.id("imm"), "status": "completed",
		"vaccineCode": cc(SysCVX, cvx, display), "patient": b.subject(inst),
		"occurrenceDateTime": quebecTime(t), "primarySource": true,
		"location": ref("Location", inst)})
}
