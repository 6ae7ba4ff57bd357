package bench

import (
	"os"
	"runtime"
	"testing"
	"time"

	"dsn/internal/cputime"
)

// processCPU must read the same CPU time the process reports for itself
// (to the 10 ms tick of /proc), or the server's cpu-µs/req would be wrong.
func TestProcessCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/stat is Linux's")
	}
	for deadline := time.Now().Add(150 * time.Millisecond); time.Now().Before(deadline); {
	} // burn some CPU
	before := cputime.Process()
	got, ok := processCPU(os.Getpid())
	after := cputime.Process()
	if !ok {
		t.Fatal("processCPU: no reading of our own /proc/PID/stat")
	}
	if got < before-2*clockTick || got > after+clockTick {
		t.Errorf("processCPU = %s, want between %s and %s", got, before, after)
	}
	if _, ok := processCPU(-1); ok {
		t.Error("processCPU(-1) = ok, want false")
	}
}
