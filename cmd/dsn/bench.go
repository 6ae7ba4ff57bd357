package main

import (
	"context"
	"strings"
	"time"

	"dsn/bench"
	"dsn/internal/gcheadroom"
)

// runBench load-tests a running server on loopback and prints what it
// measured (bench/README.md explains the output).
func runBench(ctx context.Context, args []string, env Env) error {
	fs := newFlags("bench", env)
	var cfg bench.Config
	var asJSON bool
	fs.StringVar(&cfg.URL, "url", envOr(env, "DSN_URL", "http://127.0.0.1:8080/fhir"), "FHIR base URL of the server (loopback only)")
	fs.StringVar(&cfg.Scenario, "scenario", "read", "load shape: "+strings.Join(bench.Scenarios, "|"))
	fs.StringVar(&cfg.Token, "token", env.Getenv("DSN_TOKEN"), "bearer token for every request (dsn token or dsn client create + the token endpoint)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "workers sending requests back to back")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured time")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "time before measuring")
	fs.IntVar(&cfg.MaxRequests, "max-requests", 0, "stop after this many requests (0: the built-in bound)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the synthetic data")
	fs.IntVar(&cfg.SeedSize, "seed-size", 0, "patients (read, history) or bundles (search) created first (0: scenario default)")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "the server's process id: also report its CPU per request (Linux, /proc)")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) of the client to FILE")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	gcheadroom.Start() // the client shares the cores with the server: fewer collections (decision 0020)
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return res.WriteJSON(env.Stdout)
	}
	return res.WriteText(env.Stdout)
}
