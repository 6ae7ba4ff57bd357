package mpi

import (
	"hash/maphash"
	"strconv"
)

// Blocking keys: two records are compared only if they share at least one.
// Each key tolerates the errors the others do not, so recall stays high:
//
//	nam      NAM as written (catches everything but a missing or mistyped NAM)
//	namdob   NAM letters+birth date without differentiator and check digit (NAM typo)
//	phyear   phonetic family part + birth year (typos in given name, day, month)
//	dobinit  birth date + first given initial (family name changed or misspelled)
//	phgiven  phonetic family part + phonetic first given (wrong birth date)
//	postdob  postal code + birth month and day (name changed, year typo)
//	phone    phone number
//	mrn      local record number with its assigner
//
// Keys are 64-bit hashes; a collision only adds a candidate, which scoring rejects.
const (
	keyNAM = iota
	keyNAMDOB
	keyPhYear
	keyDOBInit
	keyPhGiven
	keyPostDOB
	keyPhone
	keyMRN
)

var seed = maphash.MakeSeed()

func hkey(kind int, parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteByte(byte(kind))
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// blockKeys lists the keys of a prepared record (duplicates removed).
func blockKeys(p *prepared) []uint64 {
	var keys []uint64
	add := func(k uint64) {
		for _, x := range keys {
			if x == k {
				return
			}
		}
		keys = append(keys, k)
	}
	dob := ""
	if p.dob != 0 {
		dob = strconv.Itoa(int(p.dob))
	}
	if nam := p.s(p.nam); nam != "" {
		add(hkey(keyNAM, nam))
		if len(nam) == 12 {
			add(hkey(keyNAMDOB, nam[:10]))
		}
	}
	init := ""
	if g := p.s(p.given); g != "" {
		init = g[:1]
	}
	givenPh := p.s(p.givenPh)
	for l := p.s(p.famPh); l != ""; {
		var ph string
		if ph, l = next(l); ph == "" {
			continue
		}
		if dob != "" {
			add(hkey(keyPhYear, ph, dob[:4]))
		}
		if givenPh != "" {
			add(hkey(keyPhGiven, ph, givenPh))
		}
	}
	if dob != "" && init != "" {
		add(hkey(keyDOBInit, dob, init))
	}
	for l := p.s(p.postal); l != ""; {
		var pc string
		if pc, l = next(l); pc != "" && dob != "" {
			add(hkey(keyPostDOB, pc, dob[4:]))
		}
	}
	for l := p.s(p.phones); l != ""; {
		var ph string
		ph, l = next(l)
		add(hkey(keyPhone, ph))
	}
	for l := p.s(p.mrns); l != ""; {
		var m string
		m, l = next(l)
		add(hkey(keyMRN, m))
	}
	return keys
}
