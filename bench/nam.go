package bench

import (
	"time"

	"dsn/mpi"
)

// mustNAM builds a valid Québec health insurance number for a synthetic person
// (mpi.MakeNAM; quebec.md §1.1), so identity code sees realistic input. The
// differentiator is always one MakeNAM accepts, hence no error to return.
func mustNAM(family, given string, birth time.Time, female bool, diff byte) string {
	v, err := mpi.MakeNAM(family, given, birth, female, diff)
	if err != nil {
		panic("bench: " + err.Error())
	}
	return v
}
