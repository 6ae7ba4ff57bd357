//go:build unix

package cputime

import "testing"

// TestProcessGrows: busy work shows up as CPU time, and the reading never
// goes backwards (a benchmark divides the difference of two readings).
func TestProcessGrows(t *testing.T) {
	t0 := Process()
	if t0 <= 0 {
		t.Fatalf("Process() = %v at start; want > 0 (the test binary has run)", t0)
	}
	x := uint64(1)
	for Process() == t0 {
		for i := 0; i < 1_000_000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	if t1 := Process(); t1 < t0 {
		t.Fatalf("Process() went back: %v then %v (x=%d)", t0, t1, x)
	}
}
