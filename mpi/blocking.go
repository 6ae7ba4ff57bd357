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
	if p.nam != "" {
		add(hkey(keyNAM, p.nam))
		if len(p.nam) == 12 {
			add(hkey(keyNAMDOB, p.nam[:10]))
		}
	}
	init := ""
	if p.given.Full != "" {
		init = p.given.Full[:1]
	}
	for _, ph := range p.famPh {
		if ph == "" {
			continue
		}
		if dob != "" {
			add(hkey(keyPhYear, ph, dob[:4]))
		}
		if p.givenPh != "" {
			add(hkey(keyPhGiven, ph, p.givenPh))
		}
	}
	if dob != "" && init != "" {
		add(hkey(keyDOBInit, dob, init))
	}
	for _, pc := range p.postal {
		if pc != "" && dob != "" {
			add(hkey(keyPostDOB, pc, dob[4:]))
		}
	}
	for _, ph := range p.phones {
		add(hkey(keyPhone, ph))
	}
	for _, m := range p.mrns {
		add(hkey(keyMRN, m))
	}
	return keys
}
