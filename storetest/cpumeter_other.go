//go:build !unix

package storetest

import "time"

// processCPU is not measured on this system: the cpu-µs metrics read 0.
func processCPU() time.Duration { return 0 }
