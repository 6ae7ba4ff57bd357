package synth

import (
	"fmt"
	"time"

	"dsn/mpi"
)

// person is the truth about one synthetic human; Patient records are views of
// it (several when the person was registered at several sites: duplicates.go).
type person struct {
	idx             int
	id              string // truth key, e.g. P0000042
	territory       string
	area            area
	origin          origin
	female          bool
	birth           time.Time
	given, family   string // usual names (the family name is the surname at birth: Québec, since 1981)
	nam             string // "" when the person has no NAM
	noNAMReason     string
	otherID         obj    // identifier used instead of a NAM, if any
	parent          string // a newborn without NAM is served on this parent's card
	address         obj
	phone, language string
	gp              *staff
	conditions      []string // keys of conditionTable
	age             int
}

// Age pyramid of Québec by 5-year band, 0–4 to 95–99, in % of the population
// (approximate shape of ISQ 2024 estimates: baby-boom bulge at 60–69, small
// cohorts under 20, long female tail after 80).
var agePyramid = []float64{4.6, 5.2, 5.5, 5.3, 5.8, 6.2, 6.6, 6.8, 6.8, 6.0, 6.2, 6.7, 7.2, 6.6, 5.7, 4.3, 2.8, 1.6, 0.7, 0.2}

// femaleShare by age: women outlive men.
func femaleShare(age int) float64 {
	switch {
	case age >= 90:
		return 0.70
	case age >= 80:
		return 0.60
	case age >= 65:
		return 0.53
	}
	return 0.49
}

func (g *Generator) newPerson(r rng, i int) *person {
	p := g.identity(r, i, true)
	if p.age >= 1 && r.chance(0.8) {
		gp := g.net.pickStaff(r, p.territory, "medecine-familiale")
		p.gp = &gp
	}
	p.conditions = drawConditions(r, p)
	return p
}

// identity draws the person's demographics and NAM: the first part of
// newPerson, also run alone by the NAM pass (nams.go) with unique false,
// which then keeps the differentiator as drawn.
func (g *Generator) identity(r rng, i int, unique bool) *person {
	p := &person{idx: i, id: fmt.Sprintf("P%07d", i+1)}
	p.territory = "mcq"
	if r.chance(0.45) {
		p.territory = "nim"
	}
	as := areas[p.territory]
	w := make([]float64, len(as))
	for k, a := range as {
		w[k] = a.weight
	}
	p.area = as[r.weighted(w)]
	band := r.weighted(agePyramid)
	p.birth = g.opt.RefDate.AddDate(-band*5, 0, -r.IntN(5*365)-1)
	p.age = ageAt(p.birth, g.opt.RefDate)
	p.female = r.chance(femaleShare(p.age))
	p.origin = origins[r.weighted(originWeights[p.territory])]
	if p.origin.code != "qc" && p.age > 60 && r.chance(0.5) {
		p.origin = origins[0] // immigration waves are recent: older people are mostly French-Canadian
	}
	p.given = givenName(r, p.origin, p.female, p.birth.Year())
	p.family = surname(r, p.origin, p.birth.Year())
	p.address = address(r, p.area)
	p.phone = phone(r, p.territory)
	p.language = p.origin.languages[r.weighted(p.origin.langWeights)]
	g.identify(r, p, unique)
	return p
}

// identify gives the person a NAM, or (about 3 %) none: babies under one year
// still served on a parent's card, new arrivals in the RAMQ waiting period,
// visitors and people from other provinces (quebec.md §1.1).
func (g *Generator) identify(r rng, p *person, unique bool) {
	switch {
	case p.age < 1 && r.chance(0.8):
		p.noNAMReason = "nouveau-né, carte à venir"
		p.parent = givenName(r, p.origin, true, 1990) + " " + p.family
		return
	case r.chance(g.opt.NoNAMRate * 0.75):
		switch r.IntN(3) {
		case 0:
			p.noNAMReason = "délai de carence (nouvel arrivant)"
		case 1:
			p.noNAMReason = "résident d'une autre province"
			p.otherID = obj{"type": cc(SysV2_0203, "JHN", "Jurisdictional health number"),
				"system": "https://fhir.infoway-inforoute.ca/NamingSystem/ca-on-patient-hcn",
				"value":  luhn(fmt.Sprintf("%09d", r.Int64N(1e9)))}
		default:
			p.noNAMReason = "visiteur"
			p.otherID = obj{"type": cc(SysV2_0203, "PPN", "Passport number"),
				"system": "urn:dsn:passeport", "value": fmt.Sprintf("%c%c%06d", 'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(1e6))}
		}
		return
	}
	// RAMQ gives differentiator 1 unless a homonym (same letters and birth date)
	// already holds it: about 95 % have 1, a few 2 or 3 (quebec.md §1.1).
	diff := byte('1')
	switch x := r.IntN(100); {
	case x >= 99:
		diff = '3'
	case x >= 95:
		diff = '2'
	}
	if unique {
		// …and never gives one NAM to two people (nams.go).
		diff = g.uniqueDiff(p.idx, diff)
	}
	nam, err := mpi.MakeNAM(p.family, p.given, p.birth, p.female, diff)
	if err == nil {
		p.nam = nam
	}
}

func ageAt(birth, ref time.Time) int {
	a := ref.Year() - birth.Year()
	if ref.YearDay() < birth.YearDay() {
		a--
	}
	return max(a, 0)
}

func (p *person) has(cond string) bool {
	for _, c := range p.conditions {
		if c == cond {
			return true
		}
	}
	return false
}

// luhn appends the Luhn check digit (Ontario health numbers: 10 digits with a
// Luhn-style check, quebec.md §1.1).
func luhn(digits string) string {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return digits + string(rune('0'+(10-sum%10)%10))
}
