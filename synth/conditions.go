package synth

// condition is a chronic condition with its codes, its prevalence by age and
// what it implies for medications and follow-up labs. Prevalences are rounded
// from INSPQ chronic-disease surveillance (SISMACQ) orders of magnitude; they
// are approximate and meant to look plausible, not to be cited.
type condition struct {
	key, snomed, icd10, display string
	prev                        func(age int, female bool) float64
	meds                        []string // keys of medTable
}

// step returns the value of the first band whose upper age bound exceeds age.
func step(age int, bounds []int, values []float64) float64 {
	for i, b := range bounds {
		if age < b {
			return values[i]
		}
	}
	return values[len(values)-1]
}

var conditionTable = []condition{
	{"htn", "38341003", "I10", "Hypertension artérielle", func(a int, _ bool) float64 {
		return step(a, []int{20, 40, 60, 80}, []float64{0, 0.03, 0.18, 0.45, 0.65})
	}, []string{"ramipril", "amlodipine", "hctz"}},
	{"dm2", "44054006", "E11", "Diabète de type 2", func(a int, _ bool) float64 {
		return step(a, []int{20, 40, 60, 80}, []float64{0.002, 0.015, 0.08, 0.20, 0.23})
	}, []string{"metformine", "glargine"}},
	{"dyslip", "55822004", "E78.5", "Dyslipidémie", func(a int, _ bool) float64 {
		return step(a, []int{40, 60}, []float64{0.02, 0.15, 0.30})
	}, []string{"atorvastatine"}},
	{"copd", "13645005", "J44.9", "Maladie pulmonaire obstructive chronique (MPOC)", func(a int, _ bool) float64 {
		return step(a, []int{35, 60, 80}, []float64{0, 0.04, 0.12, 0.17})
	}, []string{"tiotropium", "salbutamol"}},
	{"asthma", "195967001", "J45.9", "Asthme", func(a int, _ bool) float64 {
		return step(a, []int{2, 18}, []float64{0, 0.10, 0.08})
	}, []string{"salbutamol"}},
	{"hf", "84114007", "I50.9", "Insuffisance cardiaque", func(a int, _ bool) float64 {
		return step(a, []int{50, 60, 80}, []float64{0, 0.01, 0.04, 0.12})
	}, []string{"furosemide", "bisoprolol"}},
	{"af", "49436004", "I48.9", "Fibrillation auriculaire", func(a int, _ bool) float64 {
		return step(a, []int{50, 60, 80}, []float64{0, 0.01, 0.04, 0.10})
	}, []string{"apixaban"}},
	{"ckd", "709044004", "N18.9", "Insuffisance rénale chronique", func(a int, _ bool) float64 {
		return step(a, []int{40, 60, 80}, []float64{0, 0.02, 0.08, 0.20})
	}, nil},
	{"depression", "35489007", "F32.9", "Dépression", func(a int, f bool) float64 {
		if f {
			return step(a, []int{15}, []float64{0, 0.10})
		}
		return step(a, []int{15}, []float64{0, 0.06})
	}, []string{"sertraline"}},
	{"cancer", "363346000", "C80.9", "Cancer", func(a int, _ bool) float64 {
		return step(a, []int{40, 60, 80}, []float64{0.002, 0.03, 0.08, 0.12})
	}, nil},
	{"dementia", "52448006", "F03", "Trouble neurocognitif majeur (démence)", func(a int, _ bool) float64 {
		return step(a, []int{65, 80}, []float64{0, 0.03, 0.18})
	}, []string{"donepezil"}},
	{"hypothyroid", "40930008", "E03.9", "Hypothyroïdie", func(a int, f bool) float64 {
		if f {
			return step(a, []int{20, 60}, []float64{0, 0.05, 0.12})
		}
		return step(a, []int{20, 60}, []float64{0, 0.01, 0.03})
	}, []string{"levothyroxine"}},
}

func drawConditions(r rng, p *person) []string {
	var out []string
	for _, c := range conditionTable {
		if r.chance(c.prev(p.age, p.female)) {
			out = append(out, c.key)
		}
	}
	return out
}

func conditionByKey(k string) condition {
	for _, c := range conditionTable {
		if c.key == k {
			return c
		}
	}
	panic("synth: unknown condition " + k)
}

// med is a drug with its ATC code, French name and usual sig.
type med struct {
	atc, display, sig string
	dose              float64
	unit              string
}

var medTable = map[string]med{
	"ramipril":       {"C09AA05", "Ramipril 5 mg comprimé", "5 mg par la bouche une fois par jour", 5, "mg"},
	"amlodipine":     {"C08CA01", "Amlodipine 5 mg comprimé", "5 mg par la bouche une fois par jour", 5, "mg"},
	"hctz":           {"C03AA03", "Hydrochlorothiazide 25 mg comprimé", "25 mg par la bouche une fois par jour", 25, "mg"},
	"metformine":     {"A10BA02", "Metformine 500 mg comprimé", "500 mg par la bouche deux fois par jour aux repas", 500, "mg"},
	"glargine":       {"A10AE04", "Insuline glargine 100 unités/mL", "20 unités sous-cutané au coucher", 20, "[iU]"},
	"atorvastatine":  {"C10AA05", "Atorvastatine 20 mg comprimé", "20 mg par la bouche au coucher", 20, "mg"},
	"tiotropium":     {"R03BB04", "Tiotropium 18 mcg inhalation", "1 inhalation une fois par jour", 18, "ug"},
	"salbutamol":     {"R03AC02", "Salbutamol 100 mcg aérosol", "2 inhalations aux 4 à 6 heures au besoin", 200, "ug"},
	"furosemide":     {"C03CA01", "Furosémide 40 mg comprimé", "40 mg par la bouche le matin", 40, "mg"},
	"bisoprolol":     {"C07AB07", "Bisoprolol 5 mg comprimé", "5 mg par la bouche une fois par jour", 5, "mg"},
	"apixaban":       {"B01AF02", "Apixaban 5 mg comprimé", "5 mg par la bouche deux fois par jour", 5, "mg"},
	"sertraline":     {"N06AB06", "Sertraline 50 mg comprimé", "50 mg par la bouche une fois par jour", 50, "mg"},
	"donepezil":      {"N06DA02", "Donépézil 10 mg comprimé", "10 mg par la bouche au coucher", 10, "mg"},
	"levothyroxine":  {"H03AA01", "Lévothyroxine 100 mcg comprimé", "100 mcg par la bouche à jeun", 100, "ug"},
	"acetaminophene": {"N02BE01", "Acétaminophène 500 mg comprimé", "1 000 mg par la bouche aux 6 heures au besoin", 1000, "mg"},
	"amoxicilline":   {"J01CA04", "Amoxicilline 500 mg capsule", "500 mg par la bouche trois fois par jour pendant 7 jours", 500, "mg"},
	"cephalexine":    {"J01DB01", "Céphalexine 500 mg capsule", "500 mg par la bouche quatre fois par jour pendant 7 jours", 500, "mg"},
	"ceftriaxone":    {"J01DD04", "Ceftriaxone 1 g injectable", "1 g intraveineux une fois par jour", 1, "g"},
	"enoxaparine":    {"B01AB05", "Énoxaparine 40 mg/0,4 mL seringue", "40 mg sous-cutané une fois par jour", 40, "mg"},
	"pantoprazole":   {"A02BC02", "Pantoprazole 40 mg comprimé", "40 mg par la bouche une fois par jour", 40, "mg"},
}

// allergy is an allergen with its SNOMED CT substance code and the share of
// people carrying the label (penicillin labels: 8–15 % per quebec.md §6.4).
var allergyTable = []struct {
	snomed, display, reaction string
	share                     float64
	category                  string
}{
	{"764146007", "Pénicilline", "Urticaire", 0.09, "medication"},
	{"387406002", "Sulfamides (antibiotiques)", "Éruption cutanée", 0.03, "medication"},
	{"387458008", "Acide acétylsalicylique (AAS)", "Bronchospasme", 0.01, "medication"},
	{"387494007", "Codéine", "Nausées et vomissements", 0.015, "medication"},
	{"256349002", "Arachides", "Anaphylaxie", 0.015, "food"},
	{"111088007", "Latex", "Dermite de contact", 0.008, "environment"},
}
