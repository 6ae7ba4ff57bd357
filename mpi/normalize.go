package mpi

import "strings"

// Name is a normalised personal name: Full is the whole name as one key,
// Parts its components (a compound "Tremblay-Gagnon" has two parts).
type Name struct {
	Full  string
	Parts []string
}

// NormalizeName folds a family or given name for comparison: upper case, no
// accents (search.Normalize), hyphens/apostrophes/dots as separators, SAINT,
// SAINTE, STE and ST joined to the next word as ST ("Saint-Pierre" and
// "St Pierre" are both STPIERRE), the particles DE/D/DU/DES dropped and LA/LE/L
// joined to the next word ("de La Fontaine" and "Lafontaine" are LAFONTAINE).
// Suffixes JR/SR/FILS/PERE are dropped (see Generation for them).
func NormalizeName(s string) Name {
	words := splitWords(s)
	var parts []string
	glue := ""
	for i, w := range words {
		last := i == len(words)-1
		switch w {
		case "DE", "D", "DU", "DES":
			if !last {
				continue
			}
		case "LA", "LE", "L", "ST", "STE", "SAINT", "SAINTE":
			if !last {
				if strings.HasPrefix(w, "S") {
					w = "ST"
				}
				glue += w
				continue
			}
		case "JR", "SR", "FILS", "PERE", "II", "III":
			continue
		}
		parts = append(parts, glue+w)
		glue = ""
	}
	return Name{Full: strings.Join(parts, ""), Parts: parts}
}

// Generation returns "JR" or "SR" when a name carries a generational suffix
// (Jr, fils, Sr, père), used by the parent/child rule.
func Generation(s string) string {
	for _, w := range splitWords(s) {
		switch w {
		case "JR", "FILS", "II":
			return "JR"
		case "SR", "PERE":
			return "SR"
		}
	}
	return ""
}

// splitWords folds s and splits it on anything that is not a letter.
func splitWords(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return r < 'A' || r > 'Z' })
}

// Canonical maps a given name (one normalised part or full compound) to the
// head of its equivalence class in the nickname table, or returns it unchanged.
func Canonical(given string) string {
	if c, ok := nicknames[given]; ok {
		return c
	}
	return given
}

// nicknames is a short, deliberately conservative table of French-Canadian
// diminutives and French/English equivalents seen in Québec registrations.
// Ambiguous short forms (e.g. "ALEX" for Alexandre and Alexandra) map to a
// shared head only when the sex field still separates them.
var nicknames = buildNicknames(map[string]string{
	"JOSEPH": "JOS JOE JOSE TIJOS", "ROBERT": "BOB BOBBY ROB", "BENOIT": "BEN",
	"FREDERIC": "FRED FREDERICK", "ALEXANDRE": "ALEX ALEXANDER ALEXANDRA ALEXANDRINE",
	"NICOLAS": "NIC NICK NICHOLAS", "MICHEL": "MIKE MICHAEL MIKAEL", "CATHERINE": "CATH CATHY KATHERINE",
	"ELISE": "LISE", "JOHANNE": "JOANNE JOHANNA", "STEPHANE": "STEPH STEPHEN ETIENNE",
	"STEPHANIE": "STEFANIE", "MAXIME": "MAX", "DANIEL": "DAN DANNY", "PHILIPPE": "PHIL PHILIP",
	"GABRIELLE": "GABY", "SAMUEL": "SAM SAMMY", "VICTOR": "VIC", "EDOUARD": "EDWARD ED EDDY",
	"JEAN": "JOHN JOHNNY", "PIERRE": "PETER PETE", "GUILLAUME": "WILLIAM WILL BILL",
	"MARIE": "MARY", "JEANNE": "JANE", "LOUIS": "LEWIS", "ELIZABETH": "ELISABETH LIZ BETTY BABETTE",
	"FRANCOIS": "FRANK FRANCIS", "FRANCOISE": "FRANCE", "CHRISTOPHE": "CHRIS CHRISTOPHER",
	"THOMAS": "TOM TOMMY", "ANTOINE": "TONY ANTHONY", "RICHARD": "RICK DICK", "RAYMOND": "RAY",
	"GERALD": "GERRY", "REJEAN": "REJ", "SYLVAIN": "SYL", "JACQUELINE": "JACKIE", "MARGUERITE": "MARGOT MAGGIE",
	"ISABELLE": "ISA ISABEL", "VALERIE": "VAL", "EMILIE": "EMILY", "JULIE": "JULIA", "ANNE": "ANNA ANNIE",
	"MATHIEU": "MATTHEW MATT MATHIEU MATTHIEU", "CHARLES": "CHARLIE CHUCK", "HENRI": "HENRY",
})

func buildNicknames(heads map[string]string) map[string]string {
	m := map[string]string{}
	for head, alts := range heads {
		for _, a := range strings.Fields(alts) {
			m[a] = head
		}
	}
	return m
}
