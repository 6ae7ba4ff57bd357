// Package bench is a bounded load generator for a running DSN server: it seeds
// the data a scenario needs, runs a fixed number of workers for a fixed time
// against the FHIR API and reports throughput, errors and latency percentiles.
// It only talks to loopback addresses, so it cannot be aimed at someone
// else's server.
package bench

import (
	"net"
	"net/url"
	"strings"
	"time"

	"dsn"
)

// Scenarios lists the load shapes Run knows.
var Scenarios = []string{"create", "create-observation", "read", "transaction", "history", "search",
	// over a store loaded first (searchload.go): they write nothing
	"search-observation", "search-encounter", "search-medication", "search-demographics",
	"search-identifier", "everything", "population-count", "match"}

// Limits keep a run bounded whatever the flags say.
const (
	MaxConcurrency = 256
	MaxDuration    = 10 * time.Minute
	MaxRequests    = 5_000_000 // also bounds the memory of the latency samples (8 bytes each)
)

// Config describes one run.
type Config struct {
	URL         string        // FHIR base, e.g. http://127.0.0.1:8080/fhir
	Scenario    string        // one of Scenarios
	Concurrency int           // workers issuing requests back to back
	Duration    time.Duration // measured time
	Warmup      time.Duration // time before measuring (requests not counted)
	MaxRequests int           // stop after this many requests (0: MaxRequests)
	Seed        uint64        // seed of the synthetic data (same seed, same data)
	SeedSize    int           // resources the scenario creates first (0: scenario default)
	Token       string        // bearer token sent with every request ("" none)
	ServerPID   int           // the server's process id, to report its CPU per request (Linux; 0 none)
}

// validate checks the bounds and that the URL points at this machine.
func (c *Config) validate() error {
	const op = "bench.Run"
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return dsn.Errorf(op, dsn.KindInvalid, "--url %q: attendu http://HÔTE:PORT/fhir", c.URL)
	}
	if !loopback(u.Hostname()) {
		return dsn.Errorf(op, dsn.KindInvalid, "--url %q: dsn bench ne vise que la boucle locale (127.0.0.1, ::1, localhost)", c.URL)
	}
	c.URL = strings.TrimSuffix(c.URL, "/")
	switch {
	case !contains(Scenarios, c.Scenario):
		return dsn.Errorf(op, dsn.KindInvalid, "--scenario %q: attendu l'un de %s", c.Scenario, strings.Join(Scenarios, ", "))
	case c.Concurrency < 1 || c.Concurrency > MaxConcurrency:
		return dsn.Errorf(op, dsn.KindInvalid, "--concurrency %d: entre 1 et %d", c.Concurrency, MaxConcurrency)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return dsn.Errorf(op, dsn.KindInvalid, "--duration %s: entre 0 et %s", c.Duration, MaxDuration)
	case c.Warmup < 0 || c.Warmup > MaxDuration:
		return dsn.Errorf(op, dsn.KindInvalid, "--warmup %s: entre 0 et %s", c.Warmup, MaxDuration)
	case c.MaxRequests < 0 || c.MaxRequests > MaxRequests:
		return dsn.Errorf(op, dsn.KindInvalid, "--max-requests %d: entre 0 et %d", c.MaxRequests, MaxRequests)
	case c.SeedSize < 0 || c.SeedSize > 100_000:
		return dsn.Errorf(op, dsn.KindInvalid, "--seed-size %d: entre 0 et 100000", c.SeedSize)
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = MaxRequests
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
