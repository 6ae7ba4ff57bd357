package synth

import "time"

// analyte is a LOINC-coded measurement with its UCUM unit, French label and a
// draw of a plausible value for the person (SI units, as Québec labs report).
type analyte struct {
	loinc, display, unit string
	decimals             int
	value                func(r rng, p *person) float64
}

func normal(mean, sd, lo, hi float64) func(r rng, p *person) float64 {
	return func(r rng, _ *person) float64 { return r.normal(mean, sd, lo, hi) }
}

var (
	hba1c = analyte{"4548-4", "Hémoglobine glyquée (HbA1c)", "%", 1, func(r rng, p *person) float64 {
		if p.has("dm2") {
			return r.normal(7.6, 1.1, 5.8, 13)
		}
		return r.normal(5.4, 0.3, 4.4, 6.3)
	}}
	glucose = analyte{"14749-6", "Glucose", "mmol/L", 1, func(r rng, p *person) float64 {
		if p.has("dm2") {
			return r.normal(8.5, 2.2, 4, 22)
		}
		return r.normal(5.2, 0.6, 3.8, 7)
	}}
	creatinine = analyte{"14682-9", "Créatinine", "umol/L", 0, func(r rng, p *person) float64 {
		base := 70.0
		if !p.female {
			base = 85
		}
		if p.has("ckd") {
			return r.normal(base*2, 40, 110, 450)
		}
		return r.normal(base+float64(p.age)/5, 12, 40, 120)
	}}
	potassium = analyte{"2823-3", "Potassium", "mmol/L", 1, func(r rng, p *person) float64 {
		if p.has("ckd") {
			return r.normal(4.9, 0.5, 3.5, 6.5)
		}
		return r.normal(4.2, 0.35, 3.2, 5.4)
	}}
	sodium     = analyte{"2951-2", "Sodium", "mmol/L", 0, normal(139, 2.5, 128, 148)}
	hemoglobin = analyte{"718-7", "Hémoglobine", "g/L", 0, func(r rng, p *person) float64 {
		if p.female {
			return r.normal(132, 11, 85, 160)
		}
		return r.normal(146, 12, 90, 175)
	}}
	wbc       = analyte{"6690-2", "Leucocytes", "10*9/L", 1, normal(7.2, 2, 2.5, 18)}
	platelets = analyte{"777-3", "Plaquettes", "10*9/L", 0, normal(250, 55, 90, 480)}
	cholTotal = analyte{"14647-2", "Cholestérol total", "mmol/L", 2, func(r rng, p *person) float64 {
		if p.has("dyslip") {
			return r.normal(5.8, 0.9, 3.5, 9)
		}
		return r.normal(4.8, 0.8, 3, 7.5)
	}}
	ldl = analyte{"39469-2", "Cholestérol LDL (calculé)", "mmol/L", 2, func(r rng, p *person) float64 {
		if p.has("dyslip") {
			return r.normal(3.6, 0.8, 1.2, 6.5)
		}
		return r.normal(2.8, 0.7, 1, 5)
	}}
	hdl      = analyte{"14646-4", "Cholestérol HDL", "mmol/L", 2, normal(1.35, 0.3, 0.6, 2.6)}
	trig     = analyte{"14927-8", "Triglycérides", "mmol/L", 2, normal(1.5, 0.6, 0.4, 5)}
	tsh      = analyte{"3016-3", "Thyréostimuline (TSH)", "m[IU]/L", 2, normal(2.1, 1, 0.3, 9)}
	crp      = analyte{"1988-5", "Protéine C réactive", "mg/L", 1, normal(12, 25, 0.5, 250)}
	ntprobnp = analyte{"33762-6", "NT-proBNP", "pg/mL", 0, func(r rng, p *person) float64 {
		if p.has("hf") {
			return r.normal(2200, 1500, 300, 15000)
		}
		return r.normal(90, 60, 10, 400)
	}}
)

// panel is a lab order: the ServiceRequest code and the analytes it yields.
type panel struct {
	code, display string
	analytes      []analyte
}

var (
	panelCBC   = panel{"58410-2", "Formule sanguine complète (FSC)", []analyte{hemoglobin, wbc, platelets}}
	panelLytes = panel{"24326-1", "Électrolytes et créatinine", []analyte{sodium, potassium, creatinine}}
	panelLipid = panel{"24331-1", "Bilan lipidique", []analyte{cholTotal, ldl, hdl, trig}}
	panelA1c   = panel{"4548-4", "Hémoglobine glyquée (HbA1c)", []analyte{hba1c}}
	panelGluc  = panel{"14749-6", "Glycémie", []analyte{glucose}}
	panelTSH   = panel{"3016-3", "TSH", []analyte{tsh}}
	panelCRP   = panel{"1988-5", "Protéine C réactive", []analyte{crp}}
	panelBNP   = panel{"33762-6", "NT-proBNP", []analyte{ntprobnp}}
)

// followUpPanels are what a family physician orders for a person's conditions.
func followUpPanels(p *person) []panel {
	var out []panel
	if p.has("dm2") {
		out = append(out, panelA1c, panelGluc)
	} else if p.age >= 40 && (p.has("htn") || p.has("dyslip")) {
		out = append(out, panelA1c) // screening of people at risk (Diabetes Canada)
	}
	if p.has("htn") || p.has("ckd") || p.has("hf") {
		out = append(out, panelLytes)
	}
	if p.has("dyslip") || p.has("dm2") {
		out = append(out, panelLipid)
	}
	if p.has("hypothyroid") {
		out = append(out, panelTSH)
	}
	if len(out) == 0 && p.age >= 40 {
		out = append(out, panelCBC)
	}
	return out
}

// vital is a vital sign with its LOINC code.
type vital struct {
	loinc, display, unit string
	decimals             int
	value                func(r rng, p *person) float64
}

var vitals = []vital{
	{"8867-4", "Fréquence cardiaque", "/min", 0, func(r rng, p *person) float64 {
		if p.age < 2 {
			return r.normal(125, 15, 90, 180)
		}
		return r.normal(76, 12, 45, 140)
	}},
	{"9279-1", "Fréquence respiratoire", "/min", 0, func(r rng, p *person) float64 {
		if p.has("copd") {
			return r.normal(22, 4, 14, 36)
		}
		return r.normal(16, 2, 10, 28)
	}},
	{"8310-5", "Température corporelle", "Cel", 1, normal(36.9, 0.5, 35.5, 40.2)},
	{"59408-5", "Saturation en oxygène (oxymétrie de pouls)", "%", 0, func(r rng, p *person) float64 {
		if p.has("copd") {
			return r.normal(91, 3, 80, 98)
		}
		return r.normal(97, 1.5, 88, 100)
	}},
}

// bloodPressure draws systolic and diastolic values (higher with hypertension).
func bloodPressure(r rng, p *person) (float64, float64) {
	sys := r.normal(118+float64(p.age)/3, 12, 85, 200)
	if p.has("htn") {
		sys = r.normal(142, 15, 100, 210)
	}
	if p.age < 12 {
		sys = r.normal(100, 8, 80, 125)
	}
	return sys, min(r.normal(sys*0.62, 7, 45, 120), sys-20)
}

// labValue draws a result that stays consistent for a person over time: each
// person has a baseline per analyte (drawn from its own stream, so it does not
// depend on how many results came before), results vary around it, and two
// slow trends show: creatinine rises in chronic kidney disease, HbA1c falls
// once a diabetic is treated.
func (b *builder) labValue(a analyte, t time.Time) float64 {
	h := uint64(0)
	for _, c := range a.loinc {
		h = h*131 + uint64(c)
	}
	base := a.value(newRNG(b.g.opt.Seed^h, uint64(b.p.idx)), b.p)
	v := 0.8*base + 0.2*a.value(b.r, b.p)
	years := t.Sub(b.windowFrom).Hours() / (24 * 365)
	switch {
	case a.loinc == creatinine.loinc && b.p.has("ckd"):
		v += 12 * years
	case a.loinc == hba1c.loinc && b.p.has("dm2"):
		v = max(v-0.25*years, 5.8)
	}
	return v
}
