package storetest

import (
	"testing"
	"time"

	"dsn"
	"dsn/internal/cputime"
)

// The machine the benchmarks run on is shared, so wall-clock rates swing with
// the load of others; the CPU spent per operation does not. Each write
// benchmark therefore also reports cpu-µs per unit: the test process's CPU
// (user + system, the SQLite writer included) plus, for a client-server store,
// the CPU of the database server's processes that serve it.

// ServerCPU is implemented by a store whose database runs in other processes
// (PostgreSQL): the CPU those processes used so far for this store.
type ServerCPU interface {
	ServerCPU() time.Duration
}

// cpuMeter measures the CPU spent from its start.
type cpuMeter struct {
	s            dsn.Store
	proc, server time.Duration
}

func startCPU(s dsn.Store) cpuMeter {
	m := cpuMeter{s: s, proc: cputime.Process()}
	if sc, ok := s.(ServerCPU); ok {
		m.server = sc.ServerCPU()
	}
	return m
}

// report adds "cpu-µs/<unit>" (process + server) and, for a client-server
// store, "server-µs/<unit>", over n units.
func (m cpuMeter) report(b *testing.B, n int, unit string) {
	proc := cputime.Process() - m.proc
	total := proc
	if sc, ok := m.s.(ServerCPU); ok {
		server := sc.ServerCPU() - m.server
		total += server
		b.ReportMetric(float64(server.Microseconds())/float64(n), "server-µs/"+unit)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(n), "cpu-µs/"+unit)
}
