package bench

import (
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var l Latencies
	for i := 100; i >= 1; i-- { // added out of order on purpose
		l.Add(time.Duration(i) * time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50, 95: 95, 99: 99, 99.9: 100, 100: 100, 1: 1, 0.5: 1} {
		if got := l.Percentile(p); got != want*time.Millisecond {
			t.Errorf("p%v of 1..100ms = %v, want %vms", p, got, int(want))
		}
	}
	if l.Max() != 100*time.Millisecond || l.Mean() != 50500*time.Microsecond {
		t.Errorf("max %v mean %v", l.Max(), l.Mean())
	}

	var few Latencies
	for _, ms := range []int{7, 1, 3, 9, 5} {
		few.Add(time.Duration(ms) * time.Millisecond)
	}
	// Nearest rank on 5 samples: p50 is the 3rd, p95 and p99 the 5th.
	if few.Percentile(50) != 5*time.Millisecond || few.Percentile(95) != 9*time.Millisecond || few.Percentile(99) != 9*time.Millisecond {
		t.Errorf("p50 %v p95 %v p99 %v", few.Percentile(50), few.Percentile(95), few.Percentile(99))
	}
	few.Add(100 * time.Millisecond) // adding after a percentile re-sorts
	if few.Max() != 100*time.Millisecond {
		t.Errorf("max after add = %v", few.Max())
	}

	var merged Latencies
	merged.Merge(&l)
	merged.Merge(&few)
	if merged.Count() != 106 {
		t.Errorf("merged count %d", merged.Count())
	}

	var empty Latencies
	if empty.Percentile(99) != 0 || empty.Mean() != 0 {
		t.Error("empty latencies must give 0")
	}
}
