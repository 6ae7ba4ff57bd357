package mpi

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// A small noisy-duplicate generator for the quality test and the benchmarks.
// It is deliberately simple: dsn/synth builds the real synthetic population.

var (
	genFamilies = strings.Fields("Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Caron Beaulieu Cloutier Dubé Poirier Fournier Lapointe Leclerc Lefebvre Poulin Thibault St-Pierre Nadeau Martin Landry Martel Bédard Grenier Lessard Bernier Richard Michaud Hébert Desjardins Couture Turcotte Lachance Parent Blais Gosselin Savard Proulx Beaudoin Demers Perreault Boudreau Lemieux Cyr Perron Dufour Dion Mercier Bolduc Bérubé Lamontagne Duchesne Rioux Allard Champagne Vachon Gilbert Asselin Nguyen Tran Haddad Joseph Saint-Louis Gendron Tessier Labbé Mailloux Zylberberg Wojcik Okafor Bellerose Lafontaine D'Amours Ste-Marie Tremblay-Gagnon Roy-Côté")
	genMale     = strings.Fields("Jean Pierre Michel Luc Marc Denis Sylvain Stéphane Éric Martin François Daniel Alain Mathieu Nicolas Alexandre Gabriel Samuel William Olivier Félix Louis Antoine Thomas Guillaume Benoît Frédéric Robert Joseph Philippe Jean-François Jean-Philippe Marc-André Pierre-Luc Réjean Gilles Yves Normand Mohamed Raphaël")
	genFemale   = strings.Fields("Marie Julie Isabelle Nathalie Sylvie Josée Chantal Catherine Mélanie Stéphanie Geneviève Valérie Émilie Sophie Audrey Camille Léa Rosalie Florence Alice Chloé Jeanne Lise Johanne Ginette Manon Diane Louise Hélène Nicole Marie-Ève Marie-Josée Marie-Claude Anne-Marie Marie-Pier Élisabeth Fatima Amélie Justine Gabrielle")
	genCities   = strings.Fields("Trois-Rivières Shawinigan Drummondville Victoriaville Montréal Laval Nicolet Louiseville")
	genStreets  = strings.Fields("Forges Laviolette Principale Notre-Dame Saint-Laurent Papineau Fleury Gouin Henri-Bourassa Royale")
)

type genPerson struct {
	family, given, sex, dob, nam, line, city, postal, phone string
	kind                                                    string // "", "twin", "child"
}

type generated struct {
	records []Record
	person  map[string]int // record ID -> person number
	persons []genPerson
	decoys  map[[2]int]string // pairs of person numbers that are twins or parent/child
}

// zipf picks index i with probability ∝ 1/(i+4): a few names are common.
func zipf(rng *rand.Rand, n int) int {
	h := 0.0
	for i := 1; i <= n; i++ {
		h += 1 / float64(i+3)
	}
	x := rng.Float64() * h
	for i := 1; i <= n; i++ {
		x -= 1 / float64(i+3)
		if x <= 0 {
			return i - 1
		}
	}
	return n - 1
}

var syllables = strings.Fields("ber ge ron la pointe mar tel bou cher ri vard lan dry thé ri en ga gné leb lanc mo reau pi card fon taine dé sil ets char bon neau vil le neuve roch ette ar ch am bault")

// rareFamily builds one of the many surnames carried by few people (most
// Québec surnames are rare; the common ones alone would make huge blocks).
func rareFamily(rng *rand.Rand) string {
	s := ""
	for k := 2 + rng.IntN(2); k > 0; k-- {
		s += syllables[rng.IntN(len(syllables))]
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func genBase(rng *rand.Rand) genPerson {
	p := genPerson{family: genFamilies[zipf(rng, len(genFamilies))]}
	if rng.IntN(100) < 45 {
		p.family = rareFamily(rng)
	}
	if rng.IntN(2) == 0 {
		p.sex, p.given = "female", genFemale[zipf(rng, len(genFemale))]
	} else {
		p.sex, p.given = "male", genMale[zipf(rng, len(genMale))]
	}
	birth := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(33000))
	p.dob = birth.Format("2006-01-02")
	p.line = fmt.Sprintf("%d, rue %s", 1+rng.IntN(9999), genStreets[rng.IntN(len(genStreets))])
	p.city = genCities[rng.IntN(len(genCities))]
	p.postal = fmt.Sprintf("%c%d%c %d%c%d", 'G'+rune(rng.IntN(3)), rng.IntN(10), 'A'+rune(rng.IntN(26)), rng.IntN(10), 'A'+rune(rng.IntN(26)), rng.IntN(10))
	p.phone = fmt.Sprintf("819-%03d-%04d", 200+rng.IntN(800), rng.IntN(10000))
	return p
}

// makeNAM gives p a NAM no one else has, as RAMQ does with the differentiator.
func (p *genPerson) makeNAM(used map[string]bool, diff byte) {
	b, _ := time.Parse("2006-01-02", p.dob)
	for ; diff <= '9'; diff++ {
		p.nam, _ = MakeNAM(p.family, p.given, b, p.sex == "female", diff)
		if !used[p.nam] {
			used[p.nam] = true
			return
		}
	}
}

// genPopulation makes n persons (about 2 % twins and 2 % parent/child pairs
// sharing a home) and 1 to 4 records each, the extra ones noisy.
func genPopulation(n int, seed uint64) *generated {
	rng := rand.New(rand.NewPCG(seed, 42))
	g := &generated{person: map[string]int{}, decoys: map[[2]int]string{}}
	used := map[string]bool{}
	for len(g.persons) < n {
		p := genBase(rng)
		p.makeNAM(used, '1')
		g.persons = append(g.persons, p)
		switch r := rng.IntN(100); {
		case r < 2: // twin: same family, birth date, home; another given name
			t := p
			for t.given == p.given {
				t = genBase(rng)
				t.family, t.dob, t.line, t.city, t.postal, t.phone = p.family, p.dob, p.line, p.city, p.postal, p.phone
			}
			t.kind = "twin"
			t.makeNAM(used, '2')
			g.decoys[[2]int{len(g.persons) - 1, len(g.persons)}] = "twin"
			g.persons = append(g.persons, t)
		case r < 4: // child with the parent's name living at the same address
			c := p
			b, _ := time.Parse("2006-01-02", p.dob)
			c.dob = b.AddDate(20+rng.IntN(20), rng.IntN(12), rng.IntN(28)).Format("2006-01-02")
			c.kind = "child"
			c.makeNAM(used, '1')
			g.decoys[[2]int{len(g.persons) - 1, len(g.persons)}] = "child"
			g.persons = append(g.persons, c)
		}
	}
	for i, p := range g.persons {
		k := 1
		if r := rng.IntN(100); r < 35 {
			k = 2
		} else if r < 45 {
			k = 3 + rng.IntN(2)
		}
		for j := 0; j < k; j++ {
			rec := p.record(fmt.Sprintf("p%d-r%d", i, j), j, rng)
			g.records = append(g.records, rec)
			g.person[rec.ID] = i
		}
	}
	return g
}

// record renders person p; copies after the first carry registration noise.
func (p genPerson) record(id string, copy int, rng *rand.Rand) Record {
	site := fmt.Sprintf("Organization/site-%d", rng.IntN(12))
	r := Record{ID: id, Family: []string{p.family}, Given: []string{p.given}, BirthDate: p.dob, Sex: p.sex,
		NAM: p.nam, Addresses: []Address{{Line: p.line, City: p.city, PostalCode: p.postal}}, Phones: []string{p.phone},
		Identifiers: []Identifier{{System: "urn:dsn:mrn", Value: fmt.Sprint(rng.IntN(1e7)), Type: "MR", Assigner: site}}}
	if copy == 0 {
		return r
	}
	noise := func(pct int) bool { return rng.IntN(100) < pct }
	if noise(50) {
		r.NAM = "" // many registrations are made without the card
	} else if noise(4) {
		r.NAM = typo(r.NAM, rng)
	}
	if noise(30) {
		r.Family[0] = stripAccents(r.Family[0])
		r.Given[0] = stripAccents(r.Given[0])
	}
	if noise(8) {
		r.Family[0] = typo(r.Family[0], rng)
	}
	if noise(8) {
		r.Given[0] = typo(r.Given[0], rng)
	}
	if noise(10) && strings.ContainsAny(p.given+p.family, "- ") {
		r.Given[0] = strings.FieldsFunc(r.Given[0], func(c rune) bool { return c == '-' })[0]
		r.Family[0] = strings.FieldsFunc(r.Family[0], func(c rune) bool { return c == '-' })[0]
	}
	if noise(5) {
		r.Given[0] = map[string]string{"Robert": "Bob", "Joseph": "Jos", "Frédéric": "Fred", "Élisabeth": "Lise", "William": "Guillaume"}[p.given]
		if r.Given[0] == "" {
			r.Given[0] = p.given
		}
	}
	if noise(4) && r.BirthDate[8:] <= "12" {
		r.BirthDate = r.BirthDate[:5] + r.BirthDate[8:] + "-" + r.BirthDate[5:7]
	} else if noise(5) {
		b := []byte(r.BirthDate)
		i := []int{2, 3, 6, 8, 9}[rng.IntN(5)]
		b[i] = byte('0' + (int(b[i]-'0')+1+rng.IntN(8))%10)
		if parseDOB(string(b)) != 0 && string(b[5:7]) <= "12" && string(b[8:]) <= "31" && string(b[8:]) != "00" && string(b[5:7]) != "00" {
			r.BirthDate = string(b)
		}
	}
	if noise(30) { // moved since
		q := genBase(rng)
		r.Addresses = []Address{{Line: q.line, City: q.city, PostalCode: q.postal}}
	}
	if noise(40) {
		r.Phones = nil
	}
	if noise(3) {
		r.Sex = ""
	}
	return r
}

func typo(s string, rng *rand.Rand) string {
	b := []rune(s)
	if len(b) < 3 {
		return s
	}
	i := 1 + rng.IntN(len(b)-2)
	switch rng.IntN(3) {
	case 0:
		b[i], b[i+1] = b[i+1], b[i]
	case 1:
		b = append(b[:i], b[i+1:]...)
	default:
		b[i] = 'a' + rune(rng.IntN(26))
		if s[0] >= '0' && s[0] <= '9' || (s[0] >= 'A' && s[0] <= 'Z' && len(s) == 12) {
			b[i] = []rune(strings.ToUpper(string(b[i])))[0]
		}
	}
	return string(b)
}

func stripAccents(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "É", "E", "ô", "o", "î", "i", "ï", "i", "ç", "c", "â", "a", "à", "a", "û", "u")
	return r.Replace(s)
}

func rngFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }
