// Package gcheadroom lets a small heap grow by a fixed amount before the
// next collection instead of only doubling (docs/decisions/0020).
//
// With GOGC=100 the collector runs whenever the heap doubles. A server
// answering reads keeps ~10 MB live and allocates ~3 KB per read, so it
// collected ~15 times a second under `dsn bench --scenario read`, 10 % of
// its CPU (pprof, docs/benchmarks.md session 7). After each collection Start
// sets the GC percent so that the next one comes at max(2 × live, live +
// Headroom): a small heap gets Headroom of room, a heap larger than Headroom
// keeps the default doubling. The memory this adds over GOGC=100 is at most
// Headroom − live, and only while the live heap is under Headroom.
package gcheadroom

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Headroom is the heap growth allowed between collections when the live
// heap is small. 64 MiB took the full `scripts/bench-server sqlite` run from
// 248 to 305 MB peak RSS (issue 2 caps it at 300 MB): 32 MiB it is.
const Headroom = 32 << 20

var once sync.Once

// Start installs the tuning for the life of the process (once; later calls
// do nothing). An operator's GOGC or GOMEMLIMIT wins: with either set it
// does nothing.
func Start() {
	once.Do(func() {
		if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
			return
		}
		t := &tuner{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, percent: 100}
		t.arm()
	})
}

// Percent is the GC percent that puts the next collection at
// max(2 × live, live + headroom).
func Percent(live, headroom uint64) int {
	if live == 0 || live >= headroom {
		return 100
	}
	p := (headroom * 100) / live
	return int(min(p, 10_000)) // a near-empty heap: bounded, headroom still rules
}

type tuner struct {
	sample  []metrics.Sample
	percent int
}

// sentinel is garbage the moment it is made: its finalizer runs after the
// next collection, retunes, and makes the next sentinel. It holds a pointer
// so that it is not a tiny allocation (those may never be finalized).
type sentinel struct{ _ *tuner }

func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		t.tune()
		t.arm()
	})
}

// tune reads the live heap the last collection marked and sets the percent
// when it moved by more than a tenth (debug.SetGCPercent stops the world).
func (t *tuner) tune() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p := Percent(t.sample[0].Value.Uint64(), Headroom)
	if d := p - t.percent; d*10 > t.percent || -d*10 > t.percent {
		debug.SetGCPercent(p)
		t.percent = p
	}
}
