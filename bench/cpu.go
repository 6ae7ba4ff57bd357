package bench

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"dsn/internal/cputime"
)

// cpuSample is the CPU time used so far by the client (this process) and,
// when its pid is known, by the server: sampled when the measured window
// opens and when it closes, their differences divided by the requests give
// the CPU per request of each side. On this shared 2-core machine the rates
// swing with other people's work, the CPU per request much less
// (docs/benchmarks.md).
type cpuSample struct {
	client, server time.Duration
	serverOK       bool
}

func sampleCPU(serverPID int) cpuSample {
	s := cpuSample{client: cputime.Process()}
	if serverPID > 0 {
		s.server, s.serverOK = processCPU(serverPID)
	}
	return s
}

// clockTick is USER_HZ, the unit of /proc/PID/stat's utime and stime: 100 on
// every Linux architecture Go supports (the kernel fixes it for user space).
const clockTick = 10 * time.Millisecond

// processCPU reads another process's utime + stime from /proc/PID/stat
// (proc(5)); false where there is no such file (not Linux, process gone).
func processCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// the command name (field 2) is in parentheses and may hold spaces:
	// count the fields after its closing parenthesis (state is field 3)
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64) // field 14
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * clockTick, true
}

// cpuPerRequest is the CPU per request, in µs, between two samples.
func cpuPerRequest(from, to time.Duration, requests int) float64 {
	if requests <= 0 {
		return 0
	}
	return float64((to - from).Microseconds()) / float64(requests)
}
