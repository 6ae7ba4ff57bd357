package gcheadroom

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100},        // nothing known: the default
		{8 * mb, 800},   // next collection at 8 + 64 MB
		{32 * mb, 200},  // at 32 + 64
		{64 * mb, 100},  // live ≥ headroom: doubling, as GOGC=100
		{500 * mb, 100}, // a large heap gets nothing more
		{1, 10_000},     // bounded
	} {
		if got := Percent(c.live, 64*mb); got != c.want {
			t.Errorf("Percent(%d MB) = %d, want %d", c.live/mb, got, c.want)
		}
	}
}

// After Start, a collection of this test's small heap raises the GC percent
// (and GOGC set by an operator leaves it alone).
func TestStartRaisesPercentOfSmallHeap(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT set: Start leaves the collector alone")
	}
	Start()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC() // the sentinel's finalizer runs after it, on its own goroutine
		time.Sleep(10 * time.Millisecond)
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		if p > 100 {
			return
		}
	}
	t.Fatal("GC percent still 100 after collections of a small heap")
}
