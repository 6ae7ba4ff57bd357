package mpi

import (
	"strings"
	"time"
)

// prepared is a Record normalised once, when indexed or queried, so that
// comparing two records does no folding or parsing.
//
// Its layout is pointer-light, for the garbage collector: at a million
// records the index is the bulk of the heap, and every pointer in it is
// work for each GC cycle (the marking steals CPU from requests: the p99
// tail). So every string of a record — normalised names, phonetic keys,
// postal codes, the values as entered for explanations — is a substring of
// ONE text, copied out of the decoded document (a substring of the JSON
// would keep the whole Patient alive), and the fields are spans of it. A
// list is a span whose items each end with sep. The only pointer of a
// prepared record is its text.
type prepared struct {
	text string
	id   span

	famFull   span // list: the normalised family names (Name.Full), one per HumanName.family
	famFullPh span // list: phonetic key of each, aligned with famFull
	famParts  span // list: the parts of each family name joined by partSep, aligned with famFull
	famPh     span // list: phonetic key of every family part
	famNAM    span // list: the 3 NAM letters of each family name as entered (namAgainst)
	given     span // the first given name(s) of the first HumanName, as one compound (Name.Full)
	givParts  span // list: its parts
	givenAll  span // list: every given part, all HumanNames, nickname-canonical
	givenPh   span // phonetic key of the first given part
	gen       span // JR / SR suffix when present
	nam       span // upper case without spaces, empty if absent
	namLet    span // the NAM's 4 letters, when it parses
	postal    span // list: A1A1A1 or empty, one per address
	streetNo  span // list: civic number of each address, aligned with postal
	city      span // list: normalised city of each address, aligned with postal
	phones    span // list: last 10 digits
	mrns      span // list: assigner|system|VALUE (chart numbers; other provinces' health numbers with no assigner)
	display   span // list: numFields items, each field's values as entered (explanations)

	dob    int32 // yyyymmdd, 0 if unknown
	namDOB int32 // the NAM's birth date with its century, when it parses
	sex    byte  // 'M', 'F', 'O', 0
	namOK  bool  // passes ParseNAM (format and check digit)
	namDif byte  // the NAM's differentiator, when it parses
	temp   bool  // Record.Temporary
}

// span is text[off:end] of a prepared record. A record's text is at most
// maxText bytes: items beyond are dropped (no real identity comes close).
type span struct{ off, end uint16 }

const (
	maxText = 1<<16 - 1
	sep     = '\x00' // ends each item of a list
	partSep = ' '    // between the parts of one name inside an item
)

func (p *prepared) s(x span) string { return p.text[x.off:x.end] }

// next splits the first item off a list.
func next(list string) (item, rest string) {
	i := strings.IndexByte(list, sep)
	return list[:i], list[i+1:]
}

// hasItem: s is an item of list.
func hasItem(list, s string) bool {
	for list != "" {
		var it string
		if it, list = next(list); it == s {
			return true
		}
	}
	return false
}

// shareItem: the two lists have an item in common.
func shareItem(a, b string) bool {
	for a != "" {
		var it string
		if it, a = next(a); hasItem(b, it) {
			return true
		}
	}
	return false
}

// itemAt is the i-th item of a list ("" beyond its end).
func itemAt(list string, i int) string {
	for list != "" {
		var it string
		if it, list = next(list); i == 0 {
			return it
		}
		i--
	}
	return ""
}

// items splits a list (for the few places that build, not compare).
func items(list string) []string {
	var out []string
	for list != "" {
		var it string
		it, list = next(list)
		out = append(out, it)
	}
	return out
}

// textBuilder accumulates a record's text.
type textBuilder struct{ b []byte }

// add appends s and returns its span (empty if the text is full).
func (t *textBuilder) add(s string) span {
	s = strings.ReplaceAll(s, string(sep), " ")
	off := len(t.b)
	if off+len(s) > maxText {
		return span{uint16(off), uint16(off)}
	}
	t.b = append(t.b, s...)
	return span{uint16(off), uint16(len(t.b))}
}

// list appends the items, each ended by sep, and returns the list's span.
func (t *textBuilder) list(items []string) span {
	off := len(t.b)
	for _, it := range items {
		it = strings.ReplaceAll(it, string(sep), " ")
		if len(t.b)+len(it)+1 > maxText {
			break
		}
		t.b = append(t.b, it...)
		t.b = append(t.b, sep)
	}
	return span{uint16(off), uint16(len(t.b))}
}

// refDate bounds the century guessed when parsing NAMs. Matching is not
// time-sensitive enough to need the real clock here.
var refDate = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func prepare(r *Record) *prepared {
	p := &prepared{temp: r.Temporary}
	var t textBuilder
	p.id = t.add(r.ID)
	var full, fullPh, parts, ph, letters []string
	for _, f := range r.Family {
		letters = append(letters, NAMLetters(f, "X")[:3])
		n := NormalizeName(f)
		if n.Full == "" {
			continue
		}
		full = append(full, n.Full)
		fullPh = append(fullPh, Phonetic(n.Full))
		parts = append(parts, strings.Join(n.Parts, string(partSep)))
		for _, part := range n.Parts {
			ph = append(ph, Phonetic(part))
		}
		if g := Generation(f); g != "" {
			p.gen = t.add(g)
		}
	}
	p.famFull, p.famFullPh, p.famParts, p.famPh, p.famNAM = t.list(full), t.list(fullPh), t.list(parts), t.list(ph), t.list(letters)
	given := NormalizeName(strings.Join(r.Given, " "))
	p.given, p.givParts = t.add(given.Full), t.list(given.Parts)
	var all []string
	for _, part := range given.Parts {
		all = append(all, Canonical(part))
	}
	for _, g := range r.OtherGiven {
		for _, part := range NormalizeName(g).Parts {
			all = append(all, Canonical(part))
		}
	}
	p.givenAll = t.list(all)
	if len(given.Parts) > 0 {
		p.givenPh = t.add(Phonetic(given.Parts[0]))
	}
	p.dob = parseDOB(r.BirthDate)
	p.sex = sexCode(r.Sex)
	p.prepareIDs(r, &t)
	var postal, streetNo, city, phones []string
	for _, a := range r.Addresses {
		postal = append(postal, postalCode(a.PostalCode))
		streetNo = append(streetNo, civicNumber(a.Line))
		city = append(city, NormalizeName(a.City).Full)
	}
	p.postal, p.streetNo, p.city = t.list(postal), t.list(streetNo), t.list(city)
	for _, ph := range r.Phones {
		if d := phoneDigits(ph); d != "" {
			phones = append(phones, d)
		}
	}
	p.phones = t.list(phones)
	var disp [numFields]string
	for i := range disp {
		disp[i] = display(i, r)
	}
	p.display = t.list(disp[:])
	p.text = string(t.b) // the one copy: nothing of r or of its document is kept
	return p
}

func (p *prepared) prepareIDs(r *Record, t *textBuilder) {
	if r.NAM != "" {
		nam := strings.ToUpper(strings.ReplaceAll(r.NAM, " ", ""))
		p.nam = t.add(nam)
		if n, err := ParseNAM(nam, refDate); err == nil {
			p.namOK, p.namDif = true, n.Diff
			p.namLet = t.add(n.Letters)
			p.namDOB = int32(n.BirthDate.Year()*10000 + int(n.BirthDate.Month())*100 + n.BirthDate.Day())
		}
	}
	var mrns []string
	for _, id := range r.Identifiers {
		if id.Type == "MR" || id.Assigner != "" || id.Jurisdictional {
			mrns = append(mrns, id.Assigner+"|"+id.System+"|"+strings.ToUpper(id.Value))
		}
	}
	p.mrns = t.list(mrns)
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
