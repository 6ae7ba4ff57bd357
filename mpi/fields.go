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
	if len(a.family) == 0 || len(b.family) == 0 {
		return Missing
	}
	best := 3
	for i, x := range a.family {
		for k, y := range b.family {
			switch {
			case x.Full == y.Full:
				return 0
			case sharePart(x.Parts, y.Parts):
				best = min(best, 1)
			case JaroWinkler(x.Full, y.Full) >= 0.92 || a.famFullPh[i] == b.famFullPh[k] || oneEdit(x.Full, y.Full):
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
	x, y := a.given, b.given
	if x.Full == "" || y.Full == "" {
		return Missing
	}
	switch {
	case x.Full == y.Full:
		return 0
	case len(x.Full) == 1 || len(y.Full) == 1:
		if x.Full[0] == y.Full[0] {
			return 3
		}
		return 4
	case len(x.Parts) > 1 && len(y.Parts) > 1 && x.Parts[0] == y.Parts[0]:
		return 4 // Marie-Ève and Marie-Josée, Jean-François and Jean-Philippe: the part that differs is the one used
	case Canonical(x.Full) == Canonical(y.Full) || Canonical(x.Parts[0]) == Canonical(y.Parts[0]) && !isCommonFirst(x.Parts[0]):
		return 1
	case contains(b.givenAll, Canonical(x.Parts[0])) && !isCommonFirst(x.Parts[0]),
		contains(a.givenAll, Canonical(y.Parts[0])) && !isCommonFirst(y.Parts[0]):
		return 1
	case JaroWinkler(x.Full, y.Full) >= 0.90 || oneEdit(x.Full, y.Full) || a.givenPh == b.givenPh && len(x.Parts) == 1 && len(y.Parts) == 1:
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
	switch {
	case a.nam == "" && b.nam == "":
		return Missing
	case a.nam == b.nam:
		return 0
	case a.nam == "":
		return namAgainst(b, a)
	case b.nam == "":
		return namAgainst(a, b)
	case (!a.namOK || !b.namOK) && withinOneEdit(a.nam, b.nam):
		return 1 // two valid NAMs one typo apart are two people (twins get ...1 and ...2)
	}
	return 4
}

// namAgainst checks whether holder's NAM could belong to other (the other has
// no NAM): 3 surname letters against any family name, then the birth date.
func namAgainst(holder, other *prepared) int {
	if !holder.namOK || other.dob == 0 || len(other.family) == 0 {
		return Missing
	}
	n := holder.namInfo
	fromNAM := &prepared{dob: int32(n.BirthDate.Year()*10000 + int(n.BirthDate.Month())*100 + n.BirthDate.Day())}
	if lv := compareBirth(fromNAM, other); lv > 1 { // exact or day/month swapped
		return 3
	}
	for _, f := range other.rec.Family {
		if NAMLetters(f, "X")[:3] == n.Letters[:3] {
			return 2
		}
	}
	return 3
}

// Address levels: same postal code and civic number; same postal code; same
// forward sortation area (first 3 characters) or same city; different.
// People move: a different address weighs little (the weights say so).
func compareAddress(a, b *prepared) int {
	if len(a.postal) == 0 || len(b.postal) == 0 {
		return Missing
	}
	best, seen := 3, false
	for i, p := range a.postal {
		for k, q := range b.postal {
			if p == "" || q == "" {
				if a.city[i] != "" && a.city[i] == b.city[k] {
					best, seen = min(best, 2), true
				}
				continue
			}
			seen = true
			switch {
			case p == q && a.streetNo[i] != "" && a.streetNo[i] == b.streetNo[k]:
				return 0
			case p == q:
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
	if len(a.phones) == 0 || len(b.phones) == 0 {
		return Missing
	}
	if shareAny(a.phones, b.phones) {
		return 0
	}
	return 1
}

// MRN levels: a local record number in common (same assigner, system, value);
// different numbers from a same assigner. Numbers from different sites say
// nothing (Missing). Duplicates are often two MRNs of one site, so "different"
// is mild.
func compareMRN(a, b *prepared) int {
	if len(a.mrns) == 0 || len(b.mrns) == 0 {
		return Missing
	}
	if shareAny(a.mrns, b.mrns) {
		return 0
	}
	for _, x := range a.mrns {
		for _, y := range b.mrns {
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

func sharePart(a, b []string) bool { return shareAny(a, b) }

func shareAny(a, b []string) bool {
	for _, x := range a {
		if contains(b, x) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
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
