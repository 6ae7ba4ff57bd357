package mpi

import (
	"strings"
	"time"
)

// prepared is a Record normalised once, when indexed or queried, so that
// comparing two records does no folding or parsing.
type prepared struct {
	rec       *Record
	family    []Name   // one per HumanName.family
	famPh     []string // phonetic key of each family part
	famFullPh []string // phonetic key of each whole family name, aligned with family
	given     Name     // the first given name(s) of the first HumanName, as one compound
	givenAll  []string // every given part, all HumanNames, nickname-canonical
	givenPh   string   // phonetic key of the first given part
	gen       string   // JR / SR suffix when present
	dob       int32    // yyyymmdd, 0 if unknown
	sex       byte     // 'M', 'F', 'O', 0
	nam       string   // upper case without spaces, "" if absent
	namOK     bool     // passes ParseNAM (format and check digit)
	namInfo   NAM
	postal    []string // A1A1A1
	streetNo  []string // civic number of each address, aligned with postal
	city      []string
	phones    []string // last 10 digits
	mrns      []string // assigner|system|VALUE (chart numbers; other provinces' health numbers with no assigner)
	temp      bool     // Record.Temporary
}

// refDate bounds the century guessed when parsing NAMs. Matching is not
// time-sensitive enough to need the real clock here.
var refDate = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func prepare(r *Record) *prepared {
	p := &prepared{rec: r, temp: r.Temporary}
	for _, f := range r.Family {
		n := NormalizeName(f)
		if n.Full == "" {
			continue
		}
		p.family = append(p.family, n)
		p.famFullPh = append(p.famFullPh, Phonetic(n.Full))
		for _, part := range n.Parts {
			p.famPh = append(p.famPh, Phonetic(part))
		}
		if g := Generation(f); g != "" {
			p.gen = g
		}
	}
	p.given = NormalizeName(strings.Join(r.Given, " "))
	for _, part := range p.given.Parts {
		p.givenAll = append(p.givenAll, Canonical(part))
	}
	for _, g := range r.OtherGiven {
		for _, part := range NormalizeName(g).Parts {
			p.givenAll = append(p.givenAll, Canonical(part))
		}
	}
	if len(p.given.Parts) > 0 {
		p.givenPh = Phonetic(p.given.Parts[0])
	}
	p.dob = parseDOB(r.BirthDate)
	p.sex = sexCode(r.Sex)
	p.prepareIDs(r)
	for _, a := range r.Addresses {
		p.postal = append(p.postal, postalCode(a.PostalCode))
		p.streetNo = append(p.streetNo, civicNumber(a.Line))
		p.city = append(p.city, NormalizeName(a.City).Full)
	}
	for _, ph := range r.Phones {
		if d := phoneDigits(ph); d != "" {
			p.phones = append(p.phones, d)
		}
	}
	return p
}

func (p *prepared) prepareIDs(r *Record) {
	if r.NAM != "" {
		p.nam = strings.ToUpper(strings.ReplaceAll(r.NAM, " ", ""))
		if n, err := ParseNAM(p.nam, refDate); err == nil {
			p.namOK, p.namInfo = true, n
		}
	}
	for _, id := range r.Identifiers {
		if id.Type == "MR" || id.Assigner != "" || id.Jurisdictional {
			p.mrns = append(p.mrns, id.Assigner+"|"+id.System+"|"+strings.ToUpper(id.Value))
		}
	}
}

func parseDOB(s string) int32 {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0
	}
	n := int32(0)
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int32(s[i]-'0')
	}
	return n
}

func sexCode(s string) byte {
	switch s {
	case "male":
		return 'M'
	case "female":
		return 'F'
	case "other":
		return 'O'
	}
	return 0
}

// postalCode keeps the 6 characters of a Canadian postal code (A1A 1A1).
func postalCode(s string) string {
	var b []byte
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b = append(b, byte(r))
		}
	}
	if len(b) != 6 {
		return ""
	}
	return string(b)
}

// civicNumber is the first run of digits of an address line ("1234, rue X").
func civicNumber(line string) string {
	i := strings.IndexAny(line, "0123456789")
	if i < 0 {
		return ""
	}
	k := i
	for k < len(line) && line[k] >= '0' && line[k] <= '9' {
		k++
	}
	return line[i:k]
}

// phoneDigits keeps the last 10 digits (the North American number without
// the leading 1); shorter numbers are ignored as too ambiguous.
func phoneDigits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	if len(b) < 10 {
		return ""
	}
	return string(b[len(b)-10:])
}
