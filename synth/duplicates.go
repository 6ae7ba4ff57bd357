package synth

import (
	"fmt"
	"strings"
	"time"
)

// Planted duplicates: a person registered at several installations before the
// records were linked (the legacy per-site charts of quebec.md §1.2), each
// registration with the clerical noise archivists meet.
var noiseKinds = []string{"accents", "typo", "compose-coupe", "jour-mois", "sans-nam", "ancienne-adresse", "nom-epouse"}

// records decides the Patient records of a person: the main one at the nearest
// hospital, plus, for DuplicateRate of people, one to three more at other
// installations of the territory (rarely the other territory).
func (b *builder) records() []record {
	p := b.p
	main := record{id: fmt.Sprintf("pat-%07d", p.idx+1), site: p.area.near}
	out := []record{main}
	if !b.r.chance(b.g.opt.DuplicateRate) {
		return out
	}
	n := 1 + b.r.weighted([]float64{75, 20, 5})
	used := map[string]bool{main.site: true}
	for k := 0; k < n; k++ {
		territory := p.territory
		if b.r.chance(0.1) {
			territory = map[string]string{"mcq": "nim", "nim": "mcq"}[territory]
		}
		cands := append(byMission(territory, "CH"), byMission(territory, "CLSC")...)
		site := pick(b.r, cands)
		if used[site.id] {
			continue
		}
		used[site.id] = true
		out = append(out, record{id: fmt.Sprintf("pat-%07d-%d", p.idx+1, len(out)+1), site: site.id, noise: b.noise()})
	}
	return out
}

// noise draws zero to three kinds of clerical noise that make sense for p.
func (b *builder) noise() []string {
	var out []string
	for i, n := 0, b.r.weighted([]float64{10, 50, 30, 10}); i < n; i++ {
		k := pick(b.r, noiseKinds)
		ok := true
		switch k {
		case "compose-coupe":
			ok = strings.ContainsAny(b.p.given+b.p.family, "- ")
		case "jour-mois":
			ok = b.p.birth.Day() <= 12 && b.p.birth.Day() != int(b.p.birth.Month())
		case "sans-nam":
			ok = b.p.nam != ""
		case "nom-epouse":
			ok = b.p.female && b.p.birth.Year() < 1960 && b.p.origin.code == "qc"
		}
		for _, x := range out {
			ok = ok && x != k
		}
		if ok {
			out = append(out, k)
		}
	}
	return out
}

var accentFold = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "á", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ô", "o", "ö", "o", "ó", "o", "ù", "u", "û", "u", "ü", "u", "ú", "u", "ÿ", "y", "ñ", "n",
	"À", "A", "Â", "A", "Ç", "C", "É", "E", "È", "E", "Ê", "E", "Î", "I", "Ô", "O", "Û", "U", "Œ", "OE", "œ", "oe")

func stripAccents(s string) string { return accentFold.Replace(s) }

// typo swaps two adjacent letters, drops one or doubles one (ASCII positions
// only, so accented letters stay whole).
func typo(r rng, s string) string {
	b := []byte(s)
	var pos []int
	for i := 1; i+1 < len(b); i++ {
		if b[i] >= 'a' && b[i] <= 'z' && b[i+1] >= 'a' && b[i+1] <= 'z' {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		return s
	}
	i := pick(r, pos)
	switch r.IntN(3) {
	case 0:
		b[i], b[i+1] = b[i+1], b[i]
		if b[i] == b[i+1] {
			return string(b[:i]) + string(b[i+1:])
		}
		return string(b)
	case 1:
		return string(b[:i]) + string(b[i+1:])
	}
	return string(b[:i+1]) + string(b[i:])
}

func firstPart(s string) string {
	if i := strings.IndexAny(s, "- "); i > 0 {
		return s[:i]
	}
	return s
}

func swapDayMonth(t time.Time) time.Time {
	return time.Date(t.Year(), time.Month(t.Day()), int(t.Month()), 0, 0, 0, 0, time.UTC)
}

func fields(s string) []any {
	var out []any
	for _, f := range strings.Fields(s) {
		out = append(out, f)
	}
	return out
}
