//go:build unix

package provincial

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process used so far (user + system, every
// goroutine, the collector's included): on a loaded machine the benchmarks
// report it per op, wall time being the share of the cores they got.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
