package postgres

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// ServerCPU is storetest.ServerCPU: the CPU (user + system) the server
// backends of the store's writer connections used so far, read from
// /proc/<pid>/stat (the server runs on this machine in the benchmarks). The
// WAL writer, the checkpointer and the read pool's backends are not counted:
// a lower bound of the server's cost of a write.
func (s *Store) ServerCPU() time.Duration {
	var total time.Duration
	for _, c := range s.wconns {
		if c != nil { // a writer connects at its first batch (its backend had used nothing before)
			total += procCPU(c.PgConn().PID())
		}
	}
	return total
}

// procCPU is utime + stime of process pid (proc(5)); 0 if it cannot be read.
func procCPU(pid uint32) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(int(pid)) + "/stat")
	if err != nil {
		return 0
	}
	// the command name (field 2) may hold spaces: count fields after its ')'
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clkTck
}
