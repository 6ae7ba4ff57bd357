package mpi

import "strings"

// Field numbers, in the order of Model.Fields.
const (
	FieldFamily = iota
	FieldGiven
	FieldBirthDate
	FieldSex
	FieldNAM
	FieldAddress
	FieldPhone
	FieldMRN
	numFields
)

// Missing is the level of a field absent on either side: it weighs 0.
const Missing = -1

// Family name levels: exact, one part of a compound equal, similar spelling or
// same sound, different.
func compareFamily(a, b *prepared) int {
	af, bf := a.s(a.famFull), b.s(b.famFull)
	if af == "" || bf == "" {
		return Missing
	}
	best := 3
	for i, al := 0, af; al != ""; i++ {
		var x string
		x, al = next(al)
		for k, bl := 0, bf; bl != ""; k++ {
			var y string
			y, bl = next(bl)
			switch {
			case x == y:
				return 0
			case sharePart(itemAt(a.s(a.famParts), i), itemAt(b.s(b.famParts), k)):
				best = min(best, 1)
			case JaroWinkler(x, y) >= 0.92 || itemAt(a.s(a.famFullPh), i) == itemAt(b.s(b.famFullPh), k) || oneEdit(x, y):
				best = min(best, 2)
			}
		}
	}
	return best
}

// Given name levels: exact; equivalent (nickname table, a cut compound such as
// Marie-Ève/Ève, or the first name of one among the other's given names);
// similar (Jaro–Winkler ≥ 0.90 or same sound); initial only; different.
func compareGiven(a, b *prepared) int {
	x, y := a.s(a.given), b.s(b.given)
	if x == "" || y == "" {
		return Missing
	}
	xp, yp := a.s(a.givParts), b.s(b.givParts)
	x0, _ := next(xp)
	y0, _ := next(yp)
	xMany, yMany := len(x0)+1 < len(xp), len(y0)+1 < len(yp)
	switch {
	case x == y:
		return 0
	case len(x) == 1 || len(y) == 1:
		if x[0] == y[0] {
			return 3
		}
		return 4
	case xMany && yMany && x0 == y0:
		return 4 // Marie-Ève and Marie-Josée, Jean-François and Jean-Philippe: the part that differs is the one used
	case Canonical(x) == Canonical(y) || Canonical(x0) == Canonical(y0) && !isCommonFirst(x0):
		return 1
	case hasItem(b.s(b.givenAll), Canonical(x0)) && !isCommonFirst(x0),
		hasItem(a.s(a.givenAll), Canonical(y0)) && !isCommonFirst(y0):
		return 1
	case JaroWinkler(x, y) >= 0.90 || oneEdit(x, y) || a.s(a.givenPh) == b.s(b.givenPh) && !xMany && !yMany:
		return 2
	}
	return 4
}

// isCommonFirst: Marie and Joseph open a great many traditional Québec compound
// given names, so sharing only them says little.
func isCommonFirst(s string) bool { return s == "MARIE" || s == "JOSEPH" }

// Birth date levels: exact; day and month swapped; one digit wrong or two
// adjacent digits transposed; year off by 1 or 10 with month and day equal;
// different.
func compareBirth(a, b *prepared) int {
	x, y := a.dob, b.dob
	if x == 0 || y == 0 {
		return Missing
	}
	if x == y {
		return 0
	}
	xy, xm, xd := x/10000, x/100%100, x%100
	yy, ym, yd := y/10000, y/100%100, y%100
	switch {
	case xy == yy && xm == yd && xd == ym:
		return 1
	case digitTypo(x, y):
		return 2
	case xm == ym && xd == yd && (abs32(xy-yy) == 1 || abs32(xy-yy) == 10):
		return 3
	}
	return 4
}

// digitTypo: the 8 digits differ in one place or by one adjacent transposition.
func digitTypo(x, y int32) bool {
	var a, b [8]byte
	for i := 7; i >= 0; i-- {
		a[i], b[i] = byte(x%10), byte(y%10)
		x, y = x/10, y/10
	}
	diff := []int{}
	for i := range a {
		if a[i] != b[i] {
			diff = append(diff, i)
		}
	}
	if len(diff) == 1 {
		return true
	}
	return len(diff) == 2 && diff[1] == diff[0]+1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
}

// Sex levels: same, different. Unknown and other are treated as missing.
func compareSex(a, b *prepared) int {
	if a.sex == 0 || b.sex == 0 || a.sex == 'O' || b.sex == 'O' {
		return Missing
	}
	if a.sex == b.sex {
		return 0
	}
	return 1
}

// NAM levels: same; one typo (one character or an adjacent transposition);
// present on one side only and consistent with the other's demographics (its
// letters and birth date); present on one side only and inconsistent;
// different.
func compareNAM(a, b *prepared) int {
	an, bn := a.s(a.nam), b.s(b.nam)
	switch {
	case an == "" && bn == "":
		return Missing
	case an == bn:
		return 0
	case an == "":
		return namAgainst(b, a)
	case bn == "":
		return namAgainst(a, b)
	case (!a.namOK || !b.namOK) && withinOneEdit(an, bn):
		return 1 // two valid NAMs one typo apart are two people (twins get ...1 and ...2)
	}
	return 4
}

// namAgainst checks whether holder's NAM could belong to other (the other has
// no NAM): 3 surname letters against any family name, then the birth date.
func namAgainst(holder, other *prepared) int {
	if !holder.namOK || other.dob == 0 || other.famFull.off == other.famFull.end {
		return Missing
	}
	fromNAM := &prepared{dob: holder.namDOB}
	if lv := compareBirth(fromNAM, other); lv > 1 { // exact or day/month swapped
		return 3
	}
	if hasItem(other.s(other.famNAM), holder.s(holder.namLet)[:3]) {
		return 2
	}
	return 3
}

// Address levels: same postal code and civic number; same postal code; same
// forward sortation area (first 3 characters) or same city; different.
// People move: a different address weighs little (the weights say so).
func compareAddress(a, b *prepared) int {
	ap, bp := a.s(a.postal), b.s(b.postal)
	if ap == "" || bp == "" {
		return Missing
	}
	best, seen := 3, false
	for i, al := 0, ap; al != ""; i++ {
		var p string
		p, al = next(al)
		for k, bl := 0, bp; bl != ""; k++ {
			var q string
			q, bl = next(bl)
			if p == "" || q == "" {
				if c := itemAt(a.s(a.city), i); c != "" && c == itemAt(b.s(b.city), k) {
					best, seen = min(best, 2), true
				}
				continue
			}
			seen = true
			switch {
			case p == q:
				if no := itemAt(a.s(a.streetNo), i); no != "" && no == itemAt(b.s(b.streetNo), k) {
					return 0
				}
				best = min(best, 1)
			case p[:3] == q[:3]:
				best = min(best, 2)
			}
		}
	}
	if !seen {
		return Missing
	}
	return best
}

// Phone levels: one number in common, none in common.
func comparePhone(a, b *prepared) int {
	ap, bp := a.s(a.phones), b.s(b.phones)
	if ap == "" || bp == "" {
		return Missing
	}
	if shareItem(ap, bp) {
		return 0
	}
	return 1
}

// MRN levels: a local record number in common (same assigner, system, value);
// different numbers from a same assigner. Numbers from different sites say
// nothing (Missing). Duplicates are often two MRNs of one site, so "different"
// is mild.
func compareMRN(a, b *prepared) int {
	am, bm := a.s(a.mrns), b.s(b.mrns)
	if am == "" || bm == "" {
		return Missing
	}
	if shareItem(am, bm) {
		return 0
	}
	for al := am; al != ""; {
		var x string
		x, al = next(al)
		for bl := bm; bl != ""; {
			var y string
			y, bl = next(bl)
			if x[:strings.LastIndexByte(x, '|')] == y[:strings.LastIndexByte(y, '|')] {
				return 1
			}
		}
	}
	return Missing
}

// oneEdit: names of 4 letters or more one typo apart.
func oneEdit(a, b string) bool {
	return len(a) >= 4 && len(b) >= 4 && withinOneEdit(a, b)
}

// withinOneEdit is DamerauLevenshtein(a, b) <= 1 without allocating: it is
// called for most candidate pairs.
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:] // insertion
}

// sharePart: two names (their parts joined by partSep) have a part in common.
func sharePart(a, b string) bool {
	for a != "" {
		var x string
		x, a, _ = strings.Cut(a, string(partSep))
		for rest := b; rest != ""; {
			var y string
			if y, rest, _ = strings.Cut(rest, string(partSep)); x == y {
				return true
			}
		}
	}
	return false
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}
