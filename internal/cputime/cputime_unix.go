//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time this process used so far: user + system, every
// goroutine, the collector's included. It is 0 if the system will not say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
